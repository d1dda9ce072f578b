/** The supervisor console's advanced-search conditions: labels from the API's names, and inputs to conditions and back. */
import { activeConditions, conditionOf, draftOf, words, type FieldSpec } from '../../console/src/conditions';

const spec = (type: FieldSpec['type'], operators: string[] = []): FieldSpec => ({ type, operators });

describe('advanced search conditions', () => {
  it('reads the API names as words', () => {
    expect(words('notEquals')).toBe('not equals');
    expect(words('lastMessageAt')).toBe('last message at');
    expect(words('agentId')).toBe('agent ID');
    expect(words('isNotEmpty')).toBe('is not empty');
  });

  it('types the values as the field is typed', () => {
    expect(conditionOf({ field: 'messageCount', operator: 'greaterThan', values: ['3'] }, spec('number'))).toEqual({
      field: 'messageCount',
      operator: 'greaterThan',
      value: 3,
    });
    expect(conditionOf({ field: 'read', operator: 'equals', values: ['false'] }, spec('boolean')).value).toBe(false);
    expect(
      conditionOf({ field: 'startedAt', operator: 'between', values: ['2026-12-01', '2026-12-02'] }, spec('date'))
        .value,
    ).toEqual(['2026-12-01', '2026-12-02']);
    expect(conditionOf({ field: 'tags', operator: 'in', values: [' vip, billing ,,'] }, spec('tags')).value).toEqual([
      'vip',
      'billing',
    ]);
    expect(conditionOf({ field: 'disposition', operator: 'isEmpty', values: ['ignored'] }, spec('string'))).toEqual({
      field: 'disposition',
      operator: 'isEmpty',
    });
  });

  it('gives back the inputs of a condition being edited', () => {
    expect(draftOf({ field: 'tags', operator: 'in', value: ['vip', 'billing'] }).values).toEqual(['vip, billing']);
    expect(draftOf({ field: 'unread', operator: 'between', value: [1, 5] }).values).toEqual(['1', '5']);
    expect(draftOf({ field: 'closedAt', operator: 'isEmpty' }).values).toEqual(['']);
  });

  it('counts only the enabled conditions as active', () => {
    const search = {
      match: 'all' as const,
      conditions: [
        { field: 'status', operator: 'equals', value: 'open' },
        { field: 'channel', operator: 'equals', value: 'sms', disabled: true },
      ],
    };
    expect(activeConditions(search)).toHaveLength(1);
  });
});
