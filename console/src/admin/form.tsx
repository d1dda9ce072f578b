/**
 * The admin pages' form kit: fields as data (a dotted path into the request body, a label, a kind), values kept by
 * path, a body built from them (on edit only what changed), and the API's 400 details shown next to the field each
 * names (`body.capacity.sms` lands on the field `capacity.sms`, `body.settings.routing.2.queueId` on whatever
 * claims `settings.routing`); a detail no field claims shows above the buttons.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type ApiErrorDetail } from '../client';
import { showError } from '../state';

export interface Option {
  value: string;
  label: string;
}

export type Values = Record<string, unknown>;

export interface FieldSpec {
  /** Dotted path in the request body, e.g. `capacity.sms` or `credentials.authToken`. */
  name: string;
  label: string;
  kind?: 'text' | 'textarea' | 'number' | 'checkbox' | 'select' | 'password' | 'lines' | 'multi';
  options?: Option[];
  required?: boolean;
  placeholder?: string;
  hint?: string;
  /** Never shown back (credentials, passwords): left empty, it is not sent. */
  writeOnly?: boolean;
  /** Emptied on edit, it is sent as null (the API clears it). */
  nullable?: boolean;
  /** Shown only on create. */
  createOnly?: boolean;
  /** Shown (and sent) only when this holds. */
  when?: (values: Values) => boolean;
}

export function getPath(source: unknown, path: string): unknown {
  let at: unknown = source;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (next === null || typeof next !== 'object') at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}

/** The form's values for an item (or for a new one: the defaults given). */
export function valuesOf(fields: FieldSpec[], item: unknown, defaults: Values = {}): Values {
  const values: Values = {};
  for (const f of fields) {
    const v = f.writeOnly ? undefined : getPath(item, f.name);
    values[f.name] =
      v ?? defaults[f.name] ?? (f.kind === 'checkbox' ? false : f.kind === 'lines' || f.kind === 'multi' ? [] : '');
  }
  return values;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? '') === JSON.stringify(b ?? '');

/** The request body: every visible field on create, only the changed ones on edit (`initial` given). */
export function bodyOf(fields: FieldSpec[], values: Values, initial?: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.when && !f.when(values)) continue;
    if (f.createOnly && initial) continue;
    const raw = values[f.name];
    if (initial && same(raw, initial[f.name])) continue;
    if (raw === '' || raw === undefined) {
      if (initial && f.nullable && !f.writeOnly) setPath(body, f.name, null);
      continue;
    }
    const value =
      f.kind === 'number' && typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    setPath(body, f.name, value);
  }
  return body;
}

/** The field a detail belongs to: the longest field path that is the detail's path or a prefix of it. */
export function claim(detail: ApiErrorDetail, names: string[]): string | undefined {
  const path = detail.path.replace(/^(body|query|path)\./, '');
  let best: string | undefined;
  for (const name of names)
    if ((path === name || path.startsWith(`${name}.`)) && (!best || name.length > best.length)) best = name;
  return best;
}

export interface Form {
  values: Values;
  set: (name: string, value: unknown) => void;
  replace: (values: Values) => void;
  /**
   * Changes the values as they are when it applies, not as this render saw them: an effect that picks a default after
   * data loads must not undo what the user chose in the meantime (the effect runs after the paint that drew the data).
   */
  update: (change: (values: Values) => Values) => void;
  /** Sets `name` unless it already holds a value (by the time the change applies). */
  fill: (name: string, value: unknown) => void;
  details: ApiErrorDetail[];
  busy: boolean;
  /** The details a field (or a custom editor claiming that path) shows. */
  errorsOf: (name: string) => ApiErrorDetail[];
  /** Runs a request; a 400 (or 409) with details puts each detail beside its field, anything else is a notice. */
  submit: (run: () => Promise<unknown>) => Promise<boolean>;
}

export function useForm(initial: Values): Form {
  const [values, setValues] = useState<Values>(initial);
  const [details, setDetails] = useState<ApiErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  const form: Form = {
    values,
    details,
    busy,
    set: (name, value) => setValues((v) => ({ ...v, [name]: value })),
    replace: (next) => setValues(next),
    update: (change) => setValues(change),
    fill: (name, value) => setValues((v) => (v[name] == null || v[name] === '' ? { ...v, [name]: value } : v)),
    errorsOf: (name) =>
      details.filter((d) => {
        const path = d.path.replace(/^(body|query|path)\./, '');
        return path === name || path.startsWith(`${name}.`);
      }),
    submit: async (run) => {
      setBusy(true);
      setDetails([]);
      try {
        await run();
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.details.length) setDetails(error.details);
        else showError(error);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
  return form;
}

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

export function FieldErrors({ form, name, id }: { form: Form; name: string; id?: string }) {
  const errors = form.errorsOf(name);
  if (!errors.length) return null;
  return (
    <span class="field-error" id={id} role="alert">
      {errors.map((e) => e.message).join('; ')}
    </span>
  );
}

export function Field({ form, field }: { form: Form; field: FieldSpec }) {
  const id = idOf(field.name);
  const value = form.values[field.name];
  const invalid = form.errorsOf(field.name).length > 0;
  const common = {
    id,
    name: field.name,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': invalid ? `${id}-error` : undefined,
    'aria-required': field.required ? ('true' as const) : undefined,
  };
  if (field.kind === 'checkbox') {
    return (
      <div class="field field-check">
        <label for={id}>
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(e) => form.set(field.name, e.currentTarget.checked)}
          />
          {field.label}
        </label>
        <FieldErrors form={form} name={field.name} id={`${id}-error`} />
      </div>
    );
  }
  if (field.kind === 'multi') {
    const chosen = Array.isArray(value) ? (value as string[]) : [];
    return (
      <fieldset class="field field-multi" aria-invalid={invalid ? 'true' : undefined}>
        <legend>{field.label}</legend>
        {(field.options ?? []).map((o) => (
          <label key={o.value} class="inline">
            <input
              type="checkbox"
              checked={chosen.includes(o.value)}
              onChange={(e) =>
                form.set(
                  field.name,
                  e.currentTarget.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value),
                )
              }
            />
            {o.label}
          </label>
        ))}
        {!field.options?.length && <span class="hint">None to choose from yet.</span>}
        <FieldErrors form={form} name={field.name} id={`${id}-error`} />
      </fieldset>
    );
  }
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  let input;
  if (field.kind === 'select') {
    input = (
      <select {...common} value={text(value)} onChange={(e) => form.set(field.name, e.currentTarget.value)}>
        {!field.required && <option value="">{field.placeholder ?? '—'}</option>}
        {(field.options ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'textarea' || field.kind === 'lines') {
    input = (
      <textarea
        {...common}
        rows={field.kind === 'lines' ? 3 : 4}
        placeholder={field.placeholder}
        value={field.kind === 'lines' && Array.isArray(value) ? value.join('\n') : text(value)}
        onInput={(e) =>
          form.set(
            field.name,
            field.kind === 'lines'
              ? e.currentTarget.value
                  .split('\n')
                  .map((s) => s.trim())
                  .filter(Boolean)
              : e.currentTarget.value,
          )
        }
      />
    );
  } else {
    input = (
      <input
        {...common}
        // One element whatever the kind: the types of preact split input by `type`.
        type={(field.kind === 'password' ? 'password' : field.kind === 'number' ? 'number' : 'text') as 'text'}
        autoComplete={field.kind === 'password' || field.writeOnly ? 'new-password' : 'off'}
        placeholder={field.placeholder ?? (field.writeOnly ? 'unchanged unless filled' : undefined)}
        value={text(value)}
        onInput={(e) => form.set(field.name, e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="field">
      <label for={id} class={field.required ? 'required' : undefined}>
        {field.label}
      </label>
      {input}
      {field.hint && <span class="hint">{field.hint}</span>}
      <FieldErrors form={form} name={field.name} id={`${id}-error`} />
    </div>
  );
}

export function Fields({ form, fields, editing }: { form: Form; fields: FieldSpec[]; editing?: boolean }) {
  return (
    <>
      {fields
        .filter((f) => !(f.when && !f.when(form.values)) && !(editing && f.createOnly))
        .map((f) => (
          <Field key={f.name} form={form} field={f} />
        ))}
    </>
  );
}

/** The details no field on the page claims (a path the form does not show), above the buttons. */
export function OtherErrors({ form, names }: { form: Form; names: string[] }) {
  const rest = form.details.filter((d) => !claim(d, names));
  if (!rest.length) return null;
  return (
    <ul class="form-errors" role="alert">
      {rest.map((d) => (
        <li key={d.path}>
          <code>{d.path}</code>: {d.message}
        </li>
      ))}
    </ul>
  );
}

/** A `<form>` that never navigates (the CSP forbids form actions anyway) and shows a busy submit button. */
export function FormView({
  form,
  label,
  submitLabel,
  onSubmit,
  claims,
  children,
  extra,
}: {
  form: Form;
  label: string;
  submitLabel: string;
  onSubmit: () => void;
  /** Every path a field or custom editor of this form shows errors for. */
  claims: string[];
  children: ComponentChildren;
  extra?: ComponentChildren;
}) {
  return (
    <form
      class="admin-form"
      aria-label={label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <OtherErrors form={form} names={claims} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : submitLabel}
        </button>
        {extra}
      </div>
    </form>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        const finish = () => {
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        };
        // Without the clipboard API (an insecure origin, no permission) a hidden textarea is copied instead.
        const fallback = () => {
          const field = document.createElement('textarea');
          field.value = text;
          document.body.append(field);
          field.select();
          document.execCommand('copy');
          field.remove();
          finish();
        };
        if (navigator.clipboard) navigator.clipboard.writeText(text).then(finish, fallback);
        else fallback();
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A read-only value with a copy button (a receive URL, an invitation link). */
export function Copyable({ label, value }: { label: string; value: string }) {
  const id = idOf(label);
  return (
    <div class="field copyable">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}
