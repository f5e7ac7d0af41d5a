import type { PriorityLevel } from './customers.schemas.js';

/** What the notes of a lead say about it: a summary and a priority. Derived, never typed in. */
export interface LeadInsights {
  aisummary: string | null;
  importance_score: number | null;
  priority_score: number | null;
  priority_level: PriorityLevel | null;
  priority_reason: string | null;
  industry: string | null;
  business_age_years: number | null;
}

const SUMMARY_MAX = 300;

/** The notes, whitespace collapsed, cut at a sentence end within 300 characters (or with an ellipsis). */
export function summarizeNotes(notes: string | null | undefined): string | null {
  const text = (notes ?? '').replace(/\s+/g, ' ').trim();
  if (!text) return null;
  if (text.length <= SUMMARY_MAX) return text;
  const head = text.slice(0, SUMMARY_MAX);
  const end = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '));
  return end >= SUMMARY_MAX / 3 ? head.slice(0, end + 1) : `${head.slice(0, SUMMARY_MAX - 1).trimEnd()}…`;
}

interface Signal {
  /** Words (in Uzbek, Russian or English) that show the signal, matched case-insensitively. */
  words: RegExp;
  importance: number;
  priority: number;
  reason: string;
}

const INDUSTRIES: Array<Signal & { industry: string }> = [
  {
    industry: 'healthcare',
    words:
      /\b(clinic|hospital|doctor|medical|dental|dentist|pharmacy|klinika|shifoxona|stomatolog)|клиник|больниц|стоматолог|аптек/u,
    importance: 25,
    priority: 20,
    reason: 'healthcare business',
  },
  {
    industry: 'sales',
    words: /\b(shop|store|retail|sales|marketplace|savdo|do'?kon)|магазин|продаж|торгов/u,
    importance: 18,
    priority: 15,
    reason: 'sales business',
  },
  {
    industry: 'sport',
    words: /\b(gym|fitness|sport|sports club)|спорт|фитнес/u,
    importance: 15,
    priority: 12,
    reason: 'sport business',
  },
];

const SIGNALS: Signal[] = [
  {
    words: /\b(big|large|high) budget|katta budjet|большой бюджет/u,
    importance: 12,
    priority: 15,
    reason: 'large budget',
  },
  {
    words: /\b(urgent|urgently|asap|right away)|shoshilinch|zudlik|срочно/u,
    importance: 8,
    priority: 18,
    reason: 'urgent',
  },
  {
    words: /\b(owner|ceo|director|founder|egasi|rahbar)|директор|владел|основател/u,
    importance: 10,
    priority: 10,
    reason: 'talks to the decision maker',
  },
];

const MEDIUM_BUDGET: Signal = { words: /\bbudget|budjet|бюджет/u, importance: 6, priority: 8, reason: 'has a budget' };
const SOON: Signal = {
  words: /\b(this week|soon|next week)|tez orada|скоро/u,
  importance: 4,
  priority: 10,
  reason: 'soon',
};

const AGE = /(\d{1,3})\s*(?:\+\s*)?(?:years?|yrs?|yil|лет|год)/u;

function level(score: number): PriorityLevel {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 30) return 'medium';
  return 'low';
}

/**
 * Summarises a lead's main notes and scores its priority from all of its notes, with fixed keyword rules (Uzbek,
 * Russian, English): business age, industry, budget, urgency and whether the decision maker is involved. The same
 * input always gives the same output, on the server and in the mocks. A lead without any signal has `null` scores.
 *
 * @example
 * leadInsights('Clinic owner, 12 years in business, big budget, urgent').priority_level // 'critical'
 */
export function leadInsights(notes: string | null | undefined, additionalNotes: readonly string[] = []): LeadInsights {
  const text = [notes ?? '', ...additionalNotes].join('\n').toLowerCase();
  let importance = 0;
  let priority = 0;
  const reasons: string[] = [];
  const add = (signal: Signal) => {
    importance += signal.importance;
    priority += signal.priority;
    reasons.push(signal.reason);
  };

  const ageMatch = AGE.exec(text);
  const age = ageMatch ? Number(ageMatch[1]) : null;
  const businessAge = age !== null && age <= 200 ? age : null;
  if (businessAge !== null) {
    if (businessAge >= 10)
      add({ words: AGE, importance: 30, priority: 20, reason: `${businessAge} years in business` });
    else if (businessAge >= 5)
      add({ words: AGE, importance: 20, priority: 15, reason: `${businessAge} years in business` });
    else if (businessAge >= 2)
      add({ words: AGE, importance: 10, priority: 5, reason: `${businessAge} years in business` });
  }
  const industry = INDUSTRIES.find((candidate) => candidate.words.test(text));
  if (industry) add(industry);
  for (const signal of SIGNALS) if (signal.words.test(text)) add(signal);
  if (!reasons.includes('large budget') && MEDIUM_BUDGET.words.test(text)) add(MEDIUM_BUDGET);
  if (!reasons.includes('urgent') && SOON.words.test(text)) add(SOON);

  const clamp = (value: number) => Math.max(0, Math.min(100, value));
  const importanceScore = clamp(importance);
  const priorityScore = clamp(priority);
  return {
    aisummary: summarizeNotes(notes),
    importance_score: importanceScore || null,
    priority_score: priorityScore || null,
    priority_level: priorityScore ? level(priorityScore) : null,
    priority_reason: reasons.length ? reasons.join(', ') : null,
    industry: industry?.industry ?? null,
    business_age_years: businessAge,
  };
}
