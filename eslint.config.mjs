// ESLint (flat config) with typescript-eslint's recommended rules, tuned to this code base;
// formatting is prettier's (eslint-config-prettier turns off the rules it owns).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "dist/", "coverage/", "plan-out/", "examples/**/node_modules/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    prettier,
    {
        languageOptions: {
            globals: {
                console: "readonly",
                process: "readonly",
                Buffer: "readonly",
                __dirname: "readonly",
                require: "readonly",
                module: "writable",
            },
        },
        rules: {
            // Helm values, provider outputs and mocks are untyped data by nature.
            "@typescript-eslint/no-explicit-any": "off",
            // `_` marks an argument a callback must take but does not use.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // CommonJS scripts, and tests that load programs and compiled output at run time.
        files: ["**/*.js", "tests/**/*.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
