import { describe, expect, it } from 'vitest';
import { leadInsights, summarizeNotes } from './lead-insights.js';

describe('leadInsights', () => {
  it('gives null scores to notes without any signal, and no summary without notes', () => {
    expect(leadInsights('Asked about prices', [])).toMatchObject({
      aisummary: 'Asked about prices',
      importance_score: null,
      priority_score: null,
      priority_level: null,
      priority_reason: null,
      industry: null,
      business_age_years: null,
    });
    expect(leadInsights(null, []).aisummary).toBeNull();
    expect(leadInsights('   ', []).aisummary).toBeNull();
  });

  it('scores business age, industry, budget, urgency and the decision maker', () => {
    const insights = leadInsights('Clinic owner, 12 years in business, big budget, urgent');
    expect(insights).toMatchObject({
      industry: 'healthcare',
      business_age_years: 12,
      importance_score: 30 + 25 + 12 + 8 + 10,
      priority_score: 20 + 20 + 15 + 18 + 10,
      priority_level: 'critical',
    });
    expect(insights.priority_reason).toBe(
      '12 years in business, healthcare business, large budget, urgent, talks to the decision maker',
    );
  });

  it('reads Uzbek and Russian words, and the additional notes', () => {
    expect(leadInsights('Do‘kon', ['Магазин, 6 лет, срочно']).industry).toBe('sales');
    const ru = leadInsights(null, ['Магазин, 6 лет, срочно']);
    expect(ru).toMatchObject({ business_age_years: 6, priority_score: 15 + 15 + 18, priority_level: 'medium' });
    expect(ru.aisummary).toBeNull();
  });

  it('maps scores to levels at 30, 60 and 80', () => {
    expect(leadInsights('budget').priority_level).toBe('low');
    expect(leadInsights('gym, 3 years, urgent').priority_level).toBe('medium');
    expect(leadInsights('hospital director, 10 years, urgent').priority_level).toBe('high');
  });
});

describe('summarizeNotes', () => {
  it('collapses whitespace and cuts long notes at a sentence end within 300 characters', () => {
    expect(summarizeNotes('  a\n\n b  ')).toBe('a b');
    const sentence = 'The customer wants a website for the clinic. ';
    const summary = summarizeNotes(sentence.repeat(20)) ?? '';
    expect(summary.length).toBeLessThanOrEqual(300);
    expect(summary.endsWith('clinic.')).toBe(true);
    const oneWord = summarizeNotes('x'.repeat(400)) ?? '';
    expect(oneWord).toHaveLength(300);
    expect(oneWord.endsWith('…')).toBe(true);
  });
});
