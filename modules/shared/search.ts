/** A LIKE/ILIKE pattern matching q anywhere in the value, with LIKE's wildcards and escape character in q taken literally. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;
