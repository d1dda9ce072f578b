/** First-run work of `npm start` that needs the functions' modules (the first admin, from the admin capability). */
export async function bootstrapLocal(_write: (line: string) => void, _adminPassword?: string): Promise<void> {
  // The admin capability creates `admin` here on first start.
}
