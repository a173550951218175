/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // swc strips types only; `npm test` type-checks once with tsc before jest runs.
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript" },
          target: "es2020",
          // Pulumi declares output fields on classes and assigns them in the base constructor:
          // define semantics would reset them to undefined.
          transform: { useDefineForClassFields: false },
        },
        module: { type: "commonjs" },
      },
    ],
  },
  testTimeout: 60000,
};
