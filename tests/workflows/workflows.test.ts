import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import {
    allProblems,
    effectivePermissions,
    environmentStacks,
    matrixStacks,
    readWorkflows,
    repoRoot,
    stepsUsing,
    triggers,
    validatorErrors,
    Workflow,
    WorkflowTexts,
} from "./checks";

const texts = readWorkflows();
const stacks = environmentStacks();
const doc = (file: string): Workflow => parse(texts[file]);

/** A copy of the workflows with one file changed. */
function broken(file: string, change: (wf: Workflow) => void): WorkflowTexts {
    const wf = parse(texts[file]);
    change(wf);
    return { ...texts, [file]: stringify(wf) };
}

/** Problems of a broken copy: the check must name what broke. */
function problemsOf(copy: WorkflowTexts, stackList: string[] = stacks): string[] {
    return allProblems(copy, stackList);
}

describe("the workflows as committed", () => {
    it("are the four workflows of docs/ci.md", () => {
        expect(Object.keys(texts).sort()).toEqual(["deploy.yml", "destroy.yml", "plan-comment.yml", "preview.yml"]);
    });

    it.each(Object.keys(texts))("%s is valid for GitHub Actions (action-validator)", (file) => {
        expect(validatorErrors(texts[file])).toEqual([]);
    });

    it("break none of the rules below", () => {
        expect(allProblems(texts, stacks)).toEqual([]);
    });

    it("run each environment stack, and only those: one per Pulumi.<stack>.yaml except local", () => {
        const files = fs.readdirSync(repoRoot).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f) && f !== "Pulumi.local.yaml");
        const expected = files.map((f) => f.replace(/^Pulumi\.|\.yaml$/g, "")).sort();
        expect(stacks).toEqual(expected);
        expect(matrixStacks(doc("preview.yml").jobs.preview)).toEqual(expected);
        expect(matrixStacks(doc("preview.yml").jobs["offline-plan"])).toEqual(expected);
        expect(matrixStacks(doc("deploy.yml").jobs.deploy)).toEqual(expected);
        expect(doc("destroy.yml").on.workflow_dispatch.inputs.stack.options).toEqual(expected);
    });

    it("leave local out of the matrices: it runs on kind", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.local.yaml", "Pulumi.prod.yaml"])
            fs.writeFileSync(path.join(dir, f), "");
        expect(environmentStacks(dir)).toEqual(["dev", "prod"]);
    });

    it("preview pull requests with cloud credentials only from this repository, and plan forks offline", () => {
        const wf = doc("preview.yml");
        expect(Object.keys(triggers(wf))).toEqual(["pull_request"]);
        expect(wf.jobs.preview.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(wf.jobs["offline-plan"].if).toContain("github.event.pull_request.head.repo.full_name != github.repository");
        expect(effectivePermissions(wf, "preview")).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
        expect(effectivePermissions(wf, "offline-plan")).toEqual({ contents: "read" });
        const pulumi = stepsUsing(wf.jobs.preview, "pulumi/actions")[0];
        expect(pulumi.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "comment-on-pr": true,
            "edit-pr-comment": true,
            refresh: true,
        });
    });

    it("deploy on push to main with pulumi up, one stack at a time, never cancelling a running update", () => {
        const wf = doc("deploy.yml");
        expect(triggers(wf)).toEqual({ push: { branches: ["main"] } });
        expect(wf.jobs.deploy.strategy["max-parallel"]).toBe(1);
        expect(wf.jobs.deploy.concurrency).toEqual({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
        expect(wf.jobs.deploy.environment).toBe("${{ matrix.stack }}");
        expect(stepsUsing(wf.jobs.deploy, "pulumi/actions")[0].with).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}" });
    });

    it("destroy only by hand, after the stack's name is typed again, in the group deploy uses", () => {
        const wf = doc("destroy.yml");
        expect(Object.keys(triggers(wf))).toEqual(["workflow_dispatch"]);
        expect(wf.jobs.destroy.needs).toBe("confirm");
        expect(wf.jobs.destroy.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
        expect(stepsUsing(wf.jobs.destroy, "pulumi/actions")[0].with).toMatchObject({
            command: "destroy",
            "stack-name": "${{ inputs.stack }}",
        });
    });
});

describe("the destroy confirmation", () => {
    const script: string = doc("destroy.yml").jobs.confirm.steps[0].run;
    const run = (stack: string, confirm: string, ref = "refs/heads/main") =>
        spawnSync("bash", ["-c", script], {
            env: { PATH: process.env.PATH, STACK: stack, CONFIRM: confirm, REF: ref, DEFAULT_BRANCH: "main" },
            encoding: "utf8",
        });

    it("passes when the confirmation equals the stack name, on the default branch", () => {
        expect(run("dev", "dev").status).toBe(0);
    });

    it("stops when the confirmation differs", () => {
        const result = run("dev", "prod");
        expect(result.status).toBe(1);
        expect(result.stdout).toContain('does not equal the stack name "dev"');
    });

    it("stops on any branch but the default one", () => {
        expect(run("dev", "dev", "refs/heads/feature").status).toBe(1);
    });
});

describe("the checks catch a broken workflow", () => {
    const cases: [string, string, (wf: Workflow) => void, RegExp][] = [
        [
            "preview.yml",
            "no id-token for the preview",
            (wf) => delete wf.jobs.preview.permissions["id-token"],
            /job preview has permissions .* needs exactly/,
        ],
        ["preview.yml", "a broader token", (wf) => (wf.jobs.preview.permissions.contents = "write"), /job preview has permissions/],
        ["preview.yml", "write-all", (wf) => (wf.jobs.test.permissions = "write-all"), /job test has permissions "write-all"/],
        ["preview.yml", "the preview running for forks", (wf) => delete wf.jobs.preview.if, /only for branches of this repository/],
        ["preview.yml", "pull_request_target", (wf) => (wf.on = { pull_request_target: null }), /pull_request_target/],
        ["preview.yml", "no npm test", (wf) => wf.jobs.test.steps.pop(), /does not run npm test/],
        ["preview.yml", "no npm ci", (wf) => (wf.jobs.test.steps[2].run = "npm install"), /does not run npm ci/],
        ["preview.yml", "Node 18", (wf) => (wf.jobs.test.steps[1].with["node-version"] = 18), /Node 20/],
        [
            "preview.yml",
            "pulumi up on a pull request",
            (wf) => (stepsUsing(wf.jobs.preview, "pulumi/actions")[0].with.command = "up"),
            /runs pulumi up; it must run pulumi preview/,
        ],
        [
            "preview.yml",
            "a hard-coded stack",
            (wf) => (stepsUsing(wf.jobs.preview, "pulumi/actions")[0].with["stack-name"] = "dev"),
            /must run on \$\{\{ matrix.stack \}\}/,
        ],
        [
            "preview.yml",
            "a new comment per push",
            (wf) => (stepsUsing(wf.jobs.preview, "pulumi/actions")[0].with["edit-pr-comment"] = false),
            /edit its comment in place/,
        ],
        [
            "preview.yml",
            "no policy pack",
            (wf) => delete stepsUsing(wf.jobs.preview, "pulumi/actions")[0].with.policyPacks,
            /policyPacks: policy/,
        ],
        [
            "preview.yml",
            "a stack without its Pulumi.<stack>.yaml",
            (wf) => wf.jobs.preview.strategy.matrix.stack.push("prod"),
            /job preview runs on stacks \["dev","prod"\]/,
        ],
        [
            "preview.yml",
            "an AWS key instead of OIDC",
            (wf) =>
                (stepsUsing(wf.jobs.preview, "aws-actions/configure-aws-credentials")[0].with = {
                    "aws-access-key-id": "${{ secrets.AWS_KEY }}",
                }),
            /vars.AWS_ROLE_ARN/,
        ],
        [
            "preview.yml",
            "an Azure client secret",
            (wf) => (stepsUsing(wf.jobs.preview, "azure/login")[0].with = { creds: "${{ secrets.AZURE_CREDENTIALS }}" }),
            /federated credential/,
        ],
        [
            "preview.yml",
            "no gke-gcloud-auth-plugin",
            (wf) => delete stepsUsing(wf.jobs.preview, "google-github-actions/setup-gcloud")[0].with,
            /gke-gcloud-auth-plugin/,
        ],
        [
            "preview.yml",
            "no kubelogin",
            (wf) => (wf.jobs.preview.steps = wf.jobs.preview.steps.filter((s: any) => !String(s.uses).startsWith("azure/use-kubelogin"))),
            /kubelogin/,
        ],
        [
            "preview.yml",
            "no topology comment",
            (wf) => (wf.jobs.preview.steps = wf.jobs.preview.steps.filter((s: any) => !String(s.uses).startsWith("marocchino/"))),
            /topology in a sticky comment/,
        ],
        [
            "preview.yml",
            "the fork fallback with AWS credentials",
            (wf) =>
                wf.jobs["offline-plan"].steps.unshift({
                    uses: "aws-actions/configure-aws-credentials@v4",
                    with: { "role-to-assume": "x", "aws-region": "us-east-1" },
                }),
            /fork fallback gets cloud credentials/,
        ],
        [
            "preview.yml",
            "the fork fallback with a secret",
            (wf) => (wf.jobs["offline-plan"].env = { TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" }),
            /fork fallback references secrets/,
        ],
        [
            "preview.yml",
            "the fork fallback with an OIDC token",
            (wf) => (wf.jobs["offline-plan"].permissions["id-token"] = "write"),
            /job offline-plan has permissions/,
        ],
        [
            "preview.yml",
            "the fork fallback without the plan",
            (wf) =>
                (wf.jobs["offline-plan"].steps = wf.jobs["offline-plan"].steps.filter(
                    (s: any) => !String(s.run).includes("offline-plan.sh"),
                )),
            /must run the offline plan/,
        ],
        [
            "preview.yml",
            "a branch name pasted into a script",
            (wf) => wf.jobs.test.steps.push({ run: "echo ${{ github.head_ref }}" }),
            /interpolates \$\{\{ \}\} into a run script/,
        ],
        ["preview.yml", "an unpinned action", (wf) => (wf.jobs.test.steps[0].uses = "actions/checkout@main"), /without a version tag/],
        ["preview.yml", "a misspelt key (action-validator)", (wf) => (wf.jobs.test["run-on"] = "ubuntu-latest"), /action-validator/],
        [
            "plan-comment.yml",
            "a checkout next to the write token",
            (wf) => wf.jobs.comment.steps.unshift({ uses: "actions/checkout@v4" }),
            /must not use actions\/checkout/,
        ],
        [
            "plan-comment.yml",
            "running a script from the artifact",
            (wf) => wf.jobs.comment.steps.push({ run: 'bash "$PLANS/run.sh"' }),
            /must not run programs from the artifact/,
        ],
        ["plan-comment.yml", "contents: write", (wf) => (wf.jobs.comment.permissions.contents = "write"), /job comment has permissions/],
        ["plan-comment.yml", "the wrong workflow", (wf) => (wf.on.workflow_run.workflows = ["Deploy"]), /workflow_run of "Preview"/],
        [
            "plan-comment.yml",
            "a PR number taken from the artifact",
            (wf) => (stepsUsing(wf.jobs.comment, "marocchino/sticky-pull-request-comment")[0].with.number = "${{ env.NUMBER }}"),
            /PR number it looked up itself/,
        ],
        [
            "deploy.yml",
            "deploys on pull requests",
            (wf) => (wf.on = { pull_request: null, push: { branches: ["main"] } }),
            /must run on push only/,
        ],
        ["deploy.yml", "stacks in parallel", (wf) => delete wf.jobs.deploy.strategy["max-parallel"], /one at a time/],
        ["deploy.yml", "no concurrency group", (wf) => delete wf.jobs.deploy.concurrency, /concurrency group pulumi-/],
        [
            "deploy.yml",
            "a cancelled update",
            (wf) => (wf.jobs.deploy.concurrency["cancel-in-progress"] = true),
            /cancel-in-progress: false/,
        ],
        ["deploy.yml", "no environment protection", (wf) => delete wf.jobs.deploy.environment, /stack's environment/],
        [
            "deploy.yml",
            "pulumi preview instead of up",
            (wf) => (stepsUsing(wf.jobs.deploy, "pulumi/actions")[0].with.command = "preview"),
            /it must run pulumi up/,
        ],
        ["deploy.yml", "no tests first", (wf) => delete wf.jobs.deploy.needs, /needs: test/],
        [
            "destroy.yml",
            "no confirmation",
            (wf) => (wf.jobs.confirm.steps[0].run = "true"),
            /fail unless inputs.confirm equals inputs.stack/,
        ],
        ["destroy.yml", "destroy not waiting for the confirmation", (wf) => delete wf.jobs.destroy.needs, /needs: confirm/],
        [
            "destroy.yml",
            "a group of its own",
            (wf) => (wf.jobs.destroy.concurrency.group = "destroy-${{ inputs.stack }}"),
            /concurrency group pulumi-/,
        ],
        [
            "destroy.yml",
            "a free-text stack",
            (wf) => (wf.on.workflow_dispatch.inputs.stack = { type: "string", required: true }),
            /required choice of the stacks/,
        ],
        [
            "destroy.yml",
            "pulumi up instead of destroy",
            (wf) => (stepsUsing(wf.jobs.destroy, "pulumi/actions")[0].with.command = "up"),
            /it must run pulumi destroy/,
        ],
        ["destroy.yml", "a scheduled destroy", (wf) => (wf.on.schedule = [{ cron: "0 0 * * *" }]), /workflow_dispatch only/],
    ];

    it.each(cases)("%s: %s", (file, _what, change, expected) => {
        const problems = problemsOf(broken(file, change));
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    it("a stack added without its workflows: every matrix and the destroy choice are reported", () => {
        const problems = problemsOf(texts, ["dev", "prod"]);
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/preview.yml: job preview runs on stacks \["dev"\]/),
                expect.stringMatching(/preview.yml: job offline-plan runs on stacks/),
                expect.stringMatching(/deploy.yml: job deploy runs on stacks/),
                expect.stringMatching(/destroy.yml: input stack must be a required choice/),
            ]),
        );
    });

    it("a missing workflow", () => {
        const { ["destroy.yml"]: _gone, ...rest } = texts;
        expect(problemsOf(rest)).toContain("destroy.yml: missing");
    });
});

describe("offline-plan.sh", () => {
    const script = path.join(repoRoot, ".github", "scripts", "offline-plan.sh");

    /** Runs the script in a scratch folder whose `npm` is a stand-in for `npm run plan`. */
    function runWithFakePlan(planBody: string) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(
            path.join(bin, "npm"),
            `#!/usr/bin/env bash\n# args: run plan -- --stack <s> --out <dir>\nout="$7"\nstack="$5"\n${planBody}\n`,
            { mode: 0o755 },
        );
        const output = path.join(dir, "github-output");
        fs.writeFileSync(output, "");
        const result = spawnSync("bash", [script, "dev", "comment.md"], {
            cwd: dir,
            env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output },
            encoding: "utf8",
        });
        return {
            status: result.status,
            stdout: result.stdout,
            comment: fs.readFileSync(path.join(dir, "comment.md"), "utf8"),
            outputs: fs.readFileSync(output, "utf8"),
        };
    }

    it("puts the topology and the plan's output in the comment", () => {
        const run = runWithFakePlan('mkdir -p "$out"; printf "flowchart LR\\n  a-->b\\n" > "$out/topology.md"; echo "planned $stack"');
        expect(run.status).toBe(0);
        expect(run.outputs).toBe("exit-code=0\n");
        expect(run.comment).toContain("### Offline plan of stack `dev`");
        expect(run.comment).toContain("```mermaid\nflowchart LR\n  a-->b\n\n```");
        expect(run.comment).toContain("planned dev");
        expect(run.stdout).toContain("planned dev");
    });

    it("keeps a topology that is already a Mermaid block as it is", () => {
        const run = runWithFakePlan(
            'mkdir -p "$out"; printf "## Mesh\\n\\n\\x60\\x60\\x60mermaid\\nflowchart LR\\n\\x60\\x60\\x60\\n" > "$out/topology.md"',
        );
        expect(run.comment).toContain("## Mesh\n\n```mermaid\nflowchart LR\n```");
        expect(run.comment.match(/```mermaid/g)).toHaveLength(1);
    });

    it("still writes the comment when the plan fails, and hands its exit code to the workflow", () => {
        const run = runWithFakePlan('echo "clusters[1].primary: \\"gamma\\" is not a cluster" >&2; exit 3');
        expect(run.status).toBe(0);
        expect(run.outputs).toBe("exit-code=3\n");
        expect(run.comment).toContain("**The plan failed (exit code 3)**");
        expect(run.comment).toContain('clusters[1].primary: "gamma" is not a cluster');
    });
});

describe("policy-config.js", () => {
    const { policyConfig } = require("../../.github/scripts/policy-config.js") as {
        policyConfig: (stack: string, root: string) => Record<string, Record<string, unknown>>;
    };

    function project(stackConfig: string): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            "name: istio-multicloud\nconfig:\n  mtlsMode:\n    type: string\n    default: STRICT\n",
        );
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackConfig);
        return dir;
    }

    it("gives the pack the dev stack's mtlsMode (STRICT by default)", () => {
        expect(policyConfig("dev", repoRoot)).toEqual({ "mesh-mtls-strict": { mtlsMode: "STRICT" } });
    });

    it("follows a stack that turned PERMISSIVE on", () => {
        expect(policyConfig("prod", project("config:\n  istio-multicloud:mtlsMode: PERMISSIVE\n"))).toEqual({
            "mesh-mtls-strict": { mtlsMode: "PERMISSIVE" },
        });
    });

    it("refuses a mode the program would refuse, and a stack without a file", () => {
        expect(() => policyConfig("prod", project("config:\n  istio-multicloud:mtlsMode: DISABLE\n"))).toThrow(
            /mtlsMode is "DISABLE" \(valid: STRICT, PERMISSIVE\)/,
        );
        expect(() => policyConfig("staging", project(""))).toThrow(/Pulumi.staging.yaml not found/);
    });

    it("prints JSON for --policy-pack-config", () => {
        const out = execFileSync(process.execPath, [path.join(repoRoot, ".github", "scripts", "policy-config.js"), "dev"], {
            encoding: "utf8",
        });
        expect(JSON.parse(out)).toEqual({ "mesh-mtls-strict": { mtlsMode: "STRICT" } });
    });
});
