/**
 * CSV import of contacts, in the browser: the lists API adds contacts one at a time (POST /admin/lists/{id}/contacts)
 * and has no import route, so the console parses the file (RFC 4180: quoted fields, doubled quotes, CRLF or LF) and
 * maps its header row onto the contact's fields; other columns become custom fields.
 */

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  // A spreadsheet in a comma-decimal locale writes semicolons.
  const firstLine = body.slice(0, body.search(/\r|\n|$/));
  const separator = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i += 1;
      row.push(field);
      field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

const COLUMNS: Record<string, 'phone' | 'firstName' | 'lastName' | 'email'> = {
  phone: 'phone',
  mobile: 'phone',
  number: 'phone',
  phonenumber: 'phone',
  firstname: 'firstName',
  name: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  email: 'email',
  mail: 'email',
};

export interface ContactRow {
  line: number;
  body: { phone: string; firstName?: string; lastName?: string; email?: string; fields?: Record<string, string> };
}

/** The contacts of a CSV whose first row names the columns (phone is required; unknown columns are custom fields). */
export function contactsFromCsv(text: string): { rows: ContactRow[]; problem?: string } {
  const [header, ...data] = parseCsv(text);
  if (!header) return { rows: [], problem: 'the file is empty' };
  const keys = header.map((h) => COLUMNS[h.toLowerCase().replace(/[^a-z]/g, '')]);
  if (!keys.includes('phone')) return { rows: [], problem: 'no phone column in the first row (phone or mobile)' };
  const rows = data.map((cells, i) => {
    const body: ContactRow['body'] = { phone: '' };
    const fields: Record<string, string> = {};
    cells.forEach((raw, j) => {
      const value = raw.trim();
      if (!value) return;
      const key = keys[j];
      if (key) body[key] = value;
      else if (header[j]?.trim()) fields[header[j]!.trim().slice(0, 64)] = value;
    });
    if (Object.keys(fields).length) body.fields = fields;
    return { line: i + 2, body };
  });
  return { rows };
}
