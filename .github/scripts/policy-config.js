// Prints the policy pack config for one stack, as JSON for `--policy-pack-config`:
//
//   node .github/scripts/policy-config.js <stack> > policy-config.json
//
// The pack's mtlsMode follows the stack's own switch (istio-multicloud:mtlsMode in
// Pulumi.<stack>.yaml, else the default declared in Pulumi.yaml, else STRICT), so turning
// PERMISSIVE on is one visible change to the stack file, reviewed like any other. The other
// policies keep the defaults of their config schema.
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require("yaml");

const modes = ["STRICT", "PERMISSIVE"];

/** The stack's mtlsMode as the program reads it. */
function stackMtlsMode(stack, root) {
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new Error(`Pulumi.${stack}.yaml not found in ${root}: no stack "${stack}"`);
    }
    const stackConfig = (parse(fs.readFileSync(stackFile, "utf8")) || {}).config || {};
    const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) || {};
    const declared = (project.config || {}).mtlsMode;
    const mode =
        stackConfig[`${project.name}:mtlsMode`] ?? (declared && typeof declared === "object" ? declared.default : undefined) ?? "STRICT";
    if (!modes.includes(mode)) {
        throw new Error(`Pulumi.${stack}.yaml: ${project.name}:mtlsMode is ${JSON.stringify(mode)} (valid: ${modes.join(", ")})`);
    }
    return mode;
}

/** Pack config: policy name -> its config. */
function policyConfig(stack, root) {
    return { "mesh-mtls-strict": { mtlsMode: stackMtlsMode(stack, root) } };
}

module.exports = { policyConfig, stackMtlsMode };

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: node .github/scripts/policy-config.js <stack>");
        process.exit(2);
    }
    try {
        process.stdout.write(`${JSON.stringify(policyConfig(stack, path.resolve(__dirname, "..", "..")), null, 2)}\n`);
    } catch (e) {
        console.error(e.message);
        process.exit(1);
    }
}
