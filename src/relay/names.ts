/** A channel name is also a folder name (embedded store) and a Redis key part: kept to letters, digits, dot, dash and underscore. */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
