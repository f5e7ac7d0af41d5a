/**
 * `T` itself, so that an interface can extend the type of a schema: `interface XSchema extends Named<typeof xSchema> {}`
 * (`extends typeof xSchema` is not valid syntax). Declaration files print an interface by its name, where they would
 * write out an inferred zod type in full (its shape, its output type and its input type) at every place that uses it:
 * at every route of the contract, and again inside every schema that nests it. Naming each schema's type this way
 * keeps the published declarations, and what type-checking them costs an app, a fraction of that.
 */
export type Named<T> = T;
