/**
 * Config sections that validate (they are NNCF's format) but that nncf-ts does not build yet, and why.
 * Building refuses each by name (src/compression/refusals.ts); a section leaves this list when its
 * algorithm is registered (a test checks that no registered algorithm is listed).
 */

export const NOT_BUILT_YET: Readonly<Record<string, string>> = {
};

/** The refused sections, as the config names them (an algorithm name, or a top-level key). */
export const NOT_BUILT_SECTIONS: readonly string[] = Object.keys(NOT_BUILT_YET);
