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
    // Node resolves a package's own name through its "exports" (self-reference); jest's resolver
    // does not, so the examples' `import ... from "istio-multicloud"` is mapped to the same file.
    moduleNameMapper: { "^istio-multicloud$": "<rootDir>/dist/index.js" },
    testTimeout: 60000,
};
