import { describe, expect, it } from 'vitest';
import { nextSalesManager } from './sales-rotation.js';

describe('nextSalesManager', () => {
  it('starts with the lowest id and goes up by id, whatever the order given', () => {
    expect(nextSalesManager([8, 3, 5], null)).toBe(3);
    expect(nextSalesManager([8, 3, 5], 3)).toBe(5);
    expect(nextSalesManager([8, 3, 5], 5)).toBe(8);
  });

  it('wraps around after the highest id', () => {
    expect(nextSalesManager([3, 5, 8], 8)).toBe(3);
  });

  it('keeps the turn when the previous manager is no longer active', () => {
    expect(nextSalesManager([3, 8], 5)).toBe(8);
    expect(nextSalesManager([3], 5)).toBe(3);
  });

  it('finds nobody without an active sales manager', () => {
    expect(nextSalesManager([], null)).toBeUndefined();
    expect(nextSalesManager([], 4)).toBeUndefined();
  });
});
