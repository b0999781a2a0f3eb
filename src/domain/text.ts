// Notices and audit lines are plain text with one kind of placeholder: a person, written
// `{{user:U123}}`. Each surface renders it its own way (Slack: a mention).
export const userRef = (userId: string) => `{{user:${userId}}}`;

export const USER_REF = /\{\{user:([UW][A-Z0-9]{2,20})\}\}/g;

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const isoMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
