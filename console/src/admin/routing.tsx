/**
 * The routing plan of an account as an ordered list of steps (queue, agent, gotoif, autoreply, close): add, remove,
 * reorder, each step's own fields, and the API's 400 details beside the step (and field) each names.
 */
import { useAll, labelOf, type Named } from './data';
import { FieldErrors, type Form } from './form';

export type Condition =
  | { kind: 'value'; field: string; op: string; value?: string }
  | { kind: 'time'; timezone: string; intervals: { days: number[]; from: string; to: string }[] };

export type RoutingStep =
  | { type: 'queue'; queueId: string; timeoutSeconds: number | string }
  | { type: 'agent'; agentId: string; timeoutSeconds: number | string }
  | { type: 'gotoif'; condition: Condition; then: number; else?: number }
  | { type: 'autoreply'; text: string }
  | { type: 'close'; disposition?: string };

const STEP_TYPES: { type: RoutingStep['type']; label: string }[] = [
  { type: 'queue', label: 'Queue' },
  { type: 'agent', label: 'Agent' },
  { type: 'gotoif', label: 'Go to if' },
  { type: 'autoreply', label: 'Automatic reply' },
  { type: 'close', label: 'Close' },
];

const VALUE_FIELDS = [
  'contact.phone',
  'contact.firstName',
  'contact.lastName',
  'contact.email',
  'contact.listId',
  'message.text',
];
const VALUE_OPS = ['equals', 'notEquals', 'contains', 'startsWith', 'matches', 'empty', 'notEmpty'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function newStep(type: RoutingStep['type']): RoutingStep {
  switch (type) {
    case 'queue':
      return { type, queueId: '', timeoutSeconds: 60 };
    case 'agent':
      return { type, agentId: '', timeoutSeconds: 60 };
    case 'gotoif':
      return { type, condition: { kind: 'value', field: 'contact.phone', op: 'startsWith', value: '' }, then: 0 };
    case 'autoreply':
      return { type, text: '' };
    case 'close':
      return { type };
  }
}

const seconds = (raw: string): number | string => (/^\d+$/.test(raw.trim()) ? Number(raw) : raw);

function StepFields({
  step,
  index,
  count,
  queues,
  agents,
  form,
  path,
  change,
}: {
  step: RoutingStep;
  index: number;
  count: number;
  queues: Named[];
  agents: Named[];
  form: Form;
  path: string;
  change: (step: RoutingStep) => void;
}) {
  const err = (field: string) => <FieldErrors form={form} name={`${path}.${field}`} />;
  const targets = Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);
  switch (step.type) {
    case 'queue':
    case 'agent': {
      const isQueue = step.type === 'queue';
      const options = isQueue ? queues : agents;
      const value = isQueue ? step.queueId : step.agentId;
      return (
        <>
          <label>
            {isQueue ? 'Queue' : 'Agent'}
            <select
              aria-label={isQueue ? 'Queue' : 'Agent'}
              value={value}
              onChange={(e) =>
                change(
                  isQueue
                    ? { ...step, queueId: e.currentTarget.value }
                    : ({ ...step, agentId: e.currentTarget.value } as RoutingStep),
                )
              }
            >
              <option value="">—</option>
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {labelOf(o)}
                </option>
              ))}
            </select>
          </label>
          {err(isQueue ? 'queueId' : 'agentId')}
          <label>
            Timeout (seconds)
            <input
              aria-label="Timeout (seconds)"
              type="number"
              min={1}
              value={String(step.timeoutSeconds)}
              onInput={(e) => change({ ...step, timeoutSeconds: seconds(e.currentTarget.value) })}
            />
          </label>
          {err('timeoutSeconds')}
        </>
      );
    }
    case 'autoreply':
      return (
        <>
          <label>
            Reply text
            <textarea
              aria-label="Reply text"
              rows={2}
              value={step.text}
              onInput={(e) => change({ ...step, text: e.currentTarget.value })}
            />
          </label>
          {err('text')}
        </>
      );
    case 'close':
      return (
        <>
          <label>
            Disposition
            <input
              aria-label="Disposition"
              value={step.disposition ?? ''}
              onInput={(e) => {
                const disposition = e.currentTarget.value;
                change(disposition ? { type: 'close', disposition } : { type: 'close' });
              }}
            />
          </label>
          {err('disposition')}
        </>
      );
    case 'gotoif': {
      const c = step.condition;
      return (
        <>
          <label>
            Condition
            <select
              aria-label="Condition"
              value={c.kind}
              onChange={(e) =>
                change({
                  ...step,
                  condition:
                    e.currentTarget.value === 'time'
                      ? {
                          kind: 'time',
                          timezone: 'UTC',
                          intervals: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }],
                        }
                      : { kind: 'value', field: 'contact.phone', op: 'startsWith', value: '' },
                })
              }
            >
              <option value="value">A value matches</option>
              <option value="time">The time is within</option>
            </select>
          </label>
          {c.kind === 'value' ? (
            <>
              <label>
                Field
                <select
                  aria-label="Field"
                  value={c.field}
                  onChange={(e) => change({ ...step, condition: { ...c, field: e.currentTarget.value } })}
                >
                  {VALUE_FIELDS.map((f) => (
                    <option key={f}>{f}</option>
                  ))}
                </select>
              </label>
              <label>
                Operator
                <select
                  aria-label="Operator"
                  value={c.op}
                  onChange={(e) => change({ ...step, condition: { ...c, op: e.currentTarget.value } })}
                >
                  {VALUE_OPS.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              </label>
              {c.op !== 'empty' && c.op !== 'notEmpty' && (
                <label>
                  Value
                  <input
                    aria-label="Value"
                    value={c.value ?? ''}
                    onInput={(e) => change({ ...step, condition: { ...c, value: e.currentTarget.value } })}
                  />
                </label>
              )}
            </>
          ) : (
            <>
              <label>
                Time zone
                <input
                  aria-label="Time zone"
                  value={c.timezone}
                  onInput={(e) => change({ ...step, condition: { ...c, timezone: e.currentTarget.value } })}
                />
              </label>
              {c.intervals.map((interval, k) => {
                const set = (next: Partial<typeof interval>) =>
                  change({
                    ...step,
                    condition: { ...c, intervals: c.intervals.map((x, j) => (j === k ? { ...x, ...next } : x)) },
                  });
                return (
                  <fieldset key={k} class="interval">
                    <legend>Interval {k + 1}</legend>
                    {DAYS.map((d, day) => (
                      <label key={d} class="inline">
                        <input
                          type="checkbox"
                          checked={interval.days.includes(day)}
                          onChange={(e) =>
                            set({
                              days: e.currentTarget.checked
                                ? [...interval.days, day].sort()
                                : interval.days.filter((x) => x !== day),
                            })
                          }
                        />
                        {d}
                      </label>
                    ))}
                    <label class="inline">
                      From
                      <input
                        aria-label="From"
                        value={interval.from}
                        size={5}
                        onInput={(e) => set({ from: e.currentTarget.value })}
                      />
                    </label>
                    <label class="inline">
                      To
                      <input
                        aria-label="To"
                        value={interval.to}
                        size={5}
                        onInput={(e) => set({ to: e.currentTarget.value })}
                      />
                    </label>
                    <button
                      type="button"
                      class="link"
                      disabled={c.intervals.length < 2}
                      onClick={() =>
                        change({ ...step, condition: { ...c, intervals: c.intervals.filter((_, j) => j !== k) } })
                      }
                    >
                      Remove interval
                    </button>
                  </fieldset>
                );
              })}
              <button
                type="button"
                onClick={() =>
                  change({
                    ...step,
                    condition: { ...c, intervals: [...c.intervals, { days: [6, 0], from: '09:00', to: '13:00' }] },
                  })
                }
              >
                Add interval
              </button>
            </>
          )}
          {err('condition')}
          <label>
            Then go to step
            <select
              aria-label="Then go to step"
              value={String(step.then)}
              onChange={(e) => change({ ...step, then: Number(e.currentTarget.value) })}
            >
              {targets.map((i) => (
                <option key={i} value={String(i)}>
                  {i + 1}
                </option>
              ))}
            </select>
          </label>
          {err('then')}
          <label>
            Else go to step
            <select
              aria-label="Else go to step"
              value={step.else === undefined ? '' : String(step.else)}
              onChange={(e) => {
                const raw = e.currentTarget.value;
                const { else: _drop, ...rest } = step;
                change(raw === '' ? rest : { ...rest, else: Number(raw) });
              }}
            >
              <option value="">the next step</option>
              {targets.map((i) => (
                <option key={i} value={String(i)}>
                  {i + 1}
                </option>
              ))}
            </select>
          </label>
          {err('else')}
        </>
      );
    }
  }
}

export function RoutingEditor({ form, name }: { form: Form; name: string }) {
  const [queues] = useAll<Named>('/admin/queues');
  const [agents] = useAll<Named>('/admin/agents');
  const steps = (form.values[name] as RoutingStep[] | undefined) ?? [];
  const set = (next: RoutingStep[]) => form.set(name, next);
  const move = (from: number, to: number) => {
    if (to < 0 || to >= steps.length) return;
    const next = [...steps];
    const [step] = next.splice(from, 1);
    next.splice(to, 0, step!);
    set(next);
  };
  return (
    <div class="routing">
      <p class="hint">
        Each inbound interaction runs these steps in order, until an agent accepts or a step closes it.
      </p>
      <ol class="steps" aria-label="Routing steps">
        {steps.map((step, i) => (
          <li key={i} class="step" aria-label={`Step ${i + 1}: ${step.type}`}>
            <div class="step-head">
              <strong>{i + 1}.</strong>
              <label>
                Step type
                <select
                  aria-label="Step type"
                  value={step.type}
                  onChange={(e) =>
                    set(steps.map((s, j) => (j === i ? newStep(e.currentTarget.value as RoutingStep['type']) : s)))
                  }
                >
                  {STEP_TYPES.map((t) => (
                    <option key={t.type} value={t.type}>
                      {t.label}
                    </option>
                  ))}
                </select>
              </label>
              <span class="step-buttons">
                <button
                  type="button"
                  aria-label={`Move step ${i + 1} up`}
                  disabled={i === 0}
                  onClick={() => move(i, i - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Move step ${i + 1} down`}
                  disabled={i === steps.length - 1}
                  onClick={() => move(i, i + 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove step ${i + 1}`}
                  onClick={() => set(steps.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </span>
            </div>
            <div class="step-fields">
              <StepFields
                step={step}
                index={i}
                count={steps.length}
                queues={queues}
                agents={agents}
                form={form}
                path={`${name}.${i}`}
                change={(next) => set(steps.map((s, j) => (j === i ? next : s)))}
              />
            </div>
          </li>
        ))}
      </ol>
      {!steps.length && <p class="empty">No steps: interactions wait unassigned.</p>}
      <div class="form-actions">
        {STEP_TYPES.map((t) => (
          <button key={t.type} type="button" onClick={() => set([...steps, newStep(t.type)])}>
            Add {t.label.toLowerCase()} step
          </button>
        ))}
      </div>
    </div>
  );
}
