/**
 * The times a regulation names, as the server's compiler and the modeler's lint both read them: an ISO 8601 duration
 * (PT2H, P1D), or a date and time that names its offset (Z or ±hh:mm) — one instant wherever a worker runs; a local
 * time would fall due at a different moment on workers in different time zones.
 */
export const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export const isInstant = (s: string) => ISO_INSTANT.test(s) && !Number.isNaN(Date.parse(s));
