/** How long export jobs and their files are kept: the job's TTL here, the exports bucket's lifecycle rule in the cloud. */
export const EXPORT_RETENTION_DAYS = 7;
