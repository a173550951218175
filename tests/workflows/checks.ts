// What the CI workflows must do, as functions that list problems: the tests run them on the
// real files (no problems) and on deliberately broken copies (the problem is named).
import { validateWorkflow } from "@action-validator/core";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const workflowsDir = path.join(repoRoot, ".github", "workflows");

/** Workflow file name -> its text. */
export type WorkflowTexts = Record<string, string>;

export function readWorkflows(dir: string = workflowsDir): WorkflowTexts {
    const texts: WorkflowTexts = {};
    for (const file of fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()) {
        texts[file] = fs.readFileSync(path.join(dir, file), "utf8");
    }
    return texts;
}

/** The environment stacks: one per Pulumi.<stack>.yaml, except `local` (it runs on kind, not in CI). */
export function environmentStacks(root: string = repoRoot): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined && s !== "local")
        .sort();
}

/** Errors of @action-validator/core (GitHub's workflow schema), one line each. */
export function validatorErrors(text: string): string[] {
    const state = validateWorkflow(text);
    return state.errors.map((e) => {
        const nested = "states" in e && e.states ? e.states.flatMap((s) => s.errors.map((n) => n.detail ?? n.title)) : [];
        const where = "path" in e ? e.path : "location" in e && e.location ? `line ${e.location.line}` : "";
        return `${where}: ${e.title}${e.detail ? ` (${e.detail})` : ""}${nested.length ? ` [${nested.join("; ")}]` : ""}`;
    });
}

// ---------------------------------------------------------------------------------------------
// Reading workflows

export type Workflow = any;
export type Job = any;
export type Step = any;

/** `${{ x }}` -> `x`, whitespace collapsed: expressions compare the same however they are written. */
export function expr(value: unknown): string {
    return String(value ?? "")
        .replace(/^\s*\$\{\{\s*([\s\S]*?)\s*\}\}\s*$/, "$1")
        .replace(/\s+/g, " ")
        .trim();
}

/** The jobs a job waits for. */
export function needsOf(job: Job): string[] {
    const needs = job?.needs;
    return Array.isArray(needs) ? needs.map(String) : needs === undefined ? [] : [String(needs)];
}

export function stepsOf(job: Job): Step[] {
    return Array.isArray(job?.steps) ? job.steps : [];
}

/** Steps using an action, whatever its version: `uses("pulumi/actions")`. */
export function stepsUsing(job: Job, action: string): Step[] {
    return stepsOf(job).filter((s) => typeof s.uses === "string" && s.uses.split("@")[0].toLowerCase() === action.toLowerCase());
}

export function runScripts(job: Job): string[] {
    return stepsOf(job)
        .map((s) => s.run)
        .filter((r): r is string => typeof r === "string");
}

/** Triggers of a workflow, as an object whatever form `on` takes. */
export function triggers(wf: Workflow): Record<string, any> {
    const on = wf?.on ?? wf?.true; // YAML 1.1 readers turn `on` into true; ours does not, but be safe.
    if (typeof on === "string") return { [on]: null };
    if (Array.isArray(on)) return Object.fromEntries(on.map((t) => [t, null]));
    return on ?? {};
}

/** A job's permissions after inheriting the workflow's: an object, or a string such as `write-all`. */
export function effectivePermissions(wf: Workflow, jobId: string): Record<string, string> | string | undefined {
    const job = wf?.jobs?.[jobId];
    return job?.permissions ?? wf?.permissions;
}

export function matrixStacks(job: Job): unknown {
    return job?.strategy?.matrix?.stack;
}

/** Actions that hand a job cloud or Pulumi credentials. */
export const credentialActions = [
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "google-github-actions/auth",
    "pulumi/auth-actions",
    "pulumi/actions",
];

function sameSet(a: unknown, b: string[]): boolean {
    return Array.isArray(a) && a.length === b.length && [...a].map(String).sort().join(",") === [...b].sort().join(",");
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Permissions must be exactly these (nothing missing, nothing broader). */
function permissionProblems(file: string, wf: Workflow, expected: Record<string, Record<string, string>>): string[] {
    const problems: string[] = [];
    for (const [jobId, want] of Object.entries(expected)) {
        if (!wf?.jobs?.[jobId]) continue; // a missing job is reported by the file's own checks
        const got = effectivePermissions(wf, jobId);
        if (got === undefined) {
            problems.push(`${file}: job ${jobId} sets no permissions, so it gets the repository's default token scope`);
        } else if (typeof got === "string") {
            problems.push(`${file}: job ${jobId} has permissions "${got}"; list each scope it needs`);
        } else {
            const norm = (p: Record<string, string>) => JSON.stringify(Object.entries(p).sort());
            if (norm(got) !== norm(want)) {
                problems.push(`${file}: job ${jobId} has permissions ${JSON.stringify(got)}; it needs exactly ${JSON.stringify(want)}`);
            }
        }
    }
    return problems;
}

/** Rules for every workflow. */
export function commonProblems(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    if ("pull_request_target" in triggers(wf)) {
        problems.push(`${file}: uses pull_request_target, which runs with a write token and secrets next to a pull request's code`);
    }
    if (wf?.permissions === undefined) {
        problems.push(`${file}: sets no workflow-level permissions (the default token may be read-write)`);
    }
    for (const [jobId, job] of Object.entries<Job>(wf?.jobs ?? {})) {
        for (const script of runScripts(job)) {
            // Expressions in scripts are pasted in before the shell runs: a branch name or PR
            // title could inject commands. Values go through env instead.
            if (script.includes("${{")) {
                problems.push(`${file}: job ${jobId} interpolates \${{ }} into a run script; pass the value through env`);
            }
        }
        for (const step of stepsOf(job)) {
            if (typeof step.uses === "string" && !step.uses.startsWith("./") && !/@v\d+(\.\d+)*$|@[0-9a-f]{40}$/.test(step.uses)) {
                problems.push(`${file}: job ${jobId} uses ${step.uses} without a version tag or commit`);
            }
        }
    }
    return problems;
}

/** A job installs with the lockfile and runs the project's tests on Node 20. */
function testJobProblems(file: string, job: Job, jobId: string): string[] {
    const problems: string[] = [];
    if (!job) return [`${file}: no ${jobId} job`];
    const node = stepsUsing(job, "actions/setup-node")[0];
    if (!node || String(node.with?.["node-version"]) !== "20" || node.with?.cache !== "npm") {
        problems.push(`${file}: job ${jobId} must set up Node 20 with the npm cache (actions/setup-node)`);
    }
    const scripts = runScripts(job).map((s) => s.trim());
    if (!scripts.includes("npm ci")) problems.push(`${file}: job ${jobId} does not run npm ci`);
    if (!scripts.includes("npm test")) problems.push(`${file}: job ${jobId} does not run npm test`);
    return problems;
}

/** A job that logs in to every cloud by OIDC and has the tools the clusters' kubeconfigs call. */
function cloudLoginProblems(file: string, job: Job, jobId: string): string[] {
    const problems: string[] = [];
    const aws = stepsUsing(job, "aws-actions/configure-aws-credentials")[0];
    if (!aws || expr(aws.with?.["role-to-assume"]) !== "vars.AWS_ROLE_ARN") {
        problems.push(`${file}: job ${jobId} must assume vars.AWS_ROLE_ARN with aws-actions/configure-aws-credentials`);
    }
    const azure = stepsUsing(job, "azure/login")[0];
    const azureInputs = {
        "client-id": "vars.AZURE_CLIENT_ID",
        "tenant-id": "vars.AZURE_TENANT_ID",
        "subscription-id": "vars.AZURE_SUBSCRIPTION_ID",
    };
    if (!azure || Object.entries(azureInputs).some(([k, v]) => expr(azure.with?.[k]) !== v) || azure.with?.["creds"] !== undefined) {
        problems.push(
            `${file}: job ${jobId} must log in to Azure by federated credential (azure/login with client-id, tenant-id, subscription-id from vars, no creds secret)`,
        );
    }
    const gcp = stepsUsing(job, "google-github-actions/auth")[0];
    if (
        !gcp ||
        expr(gcp.with?.workload_identity_provider) !== "vars.GCP_WORKLOAD_IDENTITY_PROVIDER" ||
        expr(gcp.with?.service_account) !== "vars.GCP_SERVICE_ACCOUNT" ||
        gcp.with?.credentials_json !== undefined
    ) {
        problems.push(
            `${file}: job ${jobId} must authenticate to GCP by workload identity federation (google-github-actions/auth with vars, no key)`,
        );
    }
    const gcloud = stepsUsing(job, "google-github-actions/setup-gcloud")[0];
    if (
        !gcloud ||
        !String(gcloud.with?.install_components ?? "")
            .split(/[\s,]+/)
            .includes("gke-gcloud-auth-plugin")
    ) {
        problems.push(`${file}: job ${jobId} must install gke-gcloud-auth-plugin (google-github-actions/setup-gcloud)`);
    }
    if (stepsUsing(job, "azure/use-kubelogin").length === 0) {
        problems.push(`${file}: job ${jobId} must install kubelogin (azure/use-kubelogin)`);
    }
    return problems;
}

/** The pulumi/actions step of a job, checked for its command and stack. */
function pulumiStepProblems(file: string, job: Job, jobId: string, command: string, stackExpr: string): string[] {
    const steps = stepsUsing(job, "pulumi/actions");
    if (steps.length !== 1) return [`${file}: job ${jobId} must have one pulumi/actions step`];
    const problems: string[] = [];
    const step = steps[0];
    if (!/^pulumi\/actions@v6(\.|$)/.test(step.uses)) problems.push(`${file}: job ${jobId} must use pulumi/actions@v6`);
    if (step.with?.command !== command)
        problems.push(`${file}: job ${jobId} runs pulumi ${step.with?.command}; it must run pulumi ${command}`);
    if (expr(step.with?.["stack-name"]) !== stackExpr) {
        problems.push(`${file}: job ${jobId} runs on stack ${step.with?.["stack-name"]}; it must run on \${{ ${stackExpr} }}`);
    }
    if (expr(step.env?.PULUMI_ACCESS_TOKEN) !== "secrets.PULUMI_ACCESS_TOKEN") {
        problems.push(`${file}: job ${jobId} must pass secrets.PULUMI_ACCESS_TOKEN to pulumi/actions`);
    }
    // Credentials come before the operation that needs them.
    const index = stepsOf(job).indexOf(step);
    for (const action of ["aws-actions/configure-aws-credentials", "azure/login", "google-github-actions/auth"]) {
        const login = stepsUsing(job, action)[0];
        if (login && stepsOf(job).indexOf(login) > index)
            problems.push(`${file}: job ${jobId} logs in with ${action} after pulumi ${command}`);
    }
    return problems;
}

function policyPackProblems(file: string, job: Job, jobId: string): string[] {
    const step = stepsUsing(job, "pulumi/actions")[0];
    if (!step) return [];
    const problems: string[] = [];
    if (step.with?.policyPacks !== "policy") problems.push(`${file}: job ${jobId} must run the policy pack (policyPacks: policy)`);
    if (!fs.existsSync(path.join(repoRoot, "policy", "PulumiPolicy.yaml"))) problems.push(`policy/PulumiPolicy.yaml is missing`);
    const config = String(step.with?.policyPackConfigs ?? "");
    const written = runScripts(job).some((s) => s.includes("policy-config.js") && s.includes(path.basename(config)));
    if (!config || !written)
        problems.push(`${file}: job ${jobId} must pass the policy config that .github/scripts/policy-config.js writes`);
    return problems;
}

function matrixProblems(file: string, job: Job, jobId: string, stacks: string[]): string[] {
    const got = matrixStacks(job);
    if (!sameSet(got, stacks)) {
        return [
            `${file}: job ${jobId} runs on stacks ${JSON.stringify(got)}; the Pulumi.<stack>.yaml files give ${JSON.stringify(stacks)}`,
        ];
    }
    return [];
}

const sameRepo = "github.event.pull_request.head.repo.full_name == github.repository";
const fromFork = "github.event.pull_request.head.repo.full_name != github.repository";

export function previewProblems(wf: Workflow, stacks: string[]): string[] {
    const file = "preview.yml";
    const problems: string[] = [];
    const on = triggers(wf);
    if (!("pull_request" in on)) problems.push(`${file}: must run on pull_request`);
    const extra = Object.keys(on).filter((t) => t !== "pull_request");
    if (extra.length) problems.push(`${file}: must run on pull_request only (also has ${extra.join(", ")})`);
    const jobs = wf?.jobs ?? {};
    problems.push(...testJobProblems(file, jobs.test, "test"));

    const preview = jobs.preview;
    if (!preview) {
        problems.push(`${file}: no preview job`);
    } else {
        if (!expr(preview.if).includes(sameRepo)) {
            problems.push(`${file}: the preview job must run only for branches of this repository (if: ${sameRepo})`);
        }
        if (!needsOf(preview).includes("test")) problems.push(`${file}: the preview job must wait for the tests (needs: test)`);
        problems.push(...matrixProblems(file, preview, "preview", stacks));
        problems.push(...cloudLoginProblems(file, preview, "preview"));
        problems.push(...pulumiStepProblems(file, preview, "preview", "preview", "matrix.stack"));
        problems.push(...policyPackProblems(file, preview, "preview"));
        const pulumi = stepsUsing(preview, "pulumi/actions")[0];
        if (pulumi) {
            if (String(pulumi.with?.["comment-on-pr"]) !== "true")
                problems.push(`${file}: the preview must comment on the PR (comment-on-pr: true)`);
            if (String(pulumi.with?.["edit-pr-comment"]) !== "true")
                problems.push(`${file}: the preview must edit its comment in place (edit-pr-comment: true)`);
        }
        // The topology from the offline plan, posted before the cloud preview.
        const planIndex = stepsOf(preview).findIndex((s: Step) => typeof s.run === "string" && s.run.includes("offline-plan.sh"));
        const sticky = stepsUsing(preview, "marocchino/sticky-pull-request-comment")[0];
        if (planIndex < 0) problems.push(`${file}: the preview job must run the offline plan (.github/scripts/offline-plan.sh)`);
        if (!sticky || !String(sticky.with?.header ?? "").includes("topology")) {
            problems.push(`${file}: the preview job must post the plan's topology in a sticky comment of its own header`);
        }
        if (pulumi && planIndex > stepsOf(preview).indexOf(pulumi))
            problems.push(`${file}: the offline plan must run before pulumi preview`);
    }

    const fork = jobs["offline-plan"];
    if (!fork) {
        problems.push(`${file}: no offline-plan job for pull requests from forks`);
    } else {
        if (!expr(fork.if).includes(fromFork)) problems.push(`${file}: the offline-plan job must run for forks (if: ${fromFork})`);
        problems.push(...matrixProblems(file, fork, "offline-plan", stacks));
        const usesCredentials = credentialActions.filter((a) => stepsUsing(fork, a).length > 0);
        if (usesCredentials.length) problems.push(`${file}: the fork fallback gets cloud credentials (${usesCredentials.join(", ")})`);
        if (JSON.stringify(fork).includes("secrets.")) problems.push(`${file}: the fork fallback references secrets`);
        const plan = stepsOf(fork).find((s: Step) => typeof s.run === "string" && s.run.includes("offline-plan.sh"));
        if (!plan || expr(plan.env?.STACK) !== "matrix.stack")
            problems.push(`${file}: the fork fallback must run the offline plan of \${{ matrix.stack }}`);
        const upload = stepsUsing(fork, "actions/upload-artifact")[0];
        if (!upload || !String(upload.with?.name ?? "").startsWith("offline-plan-")) {
            problems.push(`${file}: the fork fallback must upload its plan as an offline-plan-<stack> artifact for plan-comment.yml`);
        }
    }
    problems.push(
        ...permissionProblems(file, wf, {
            test: { contents: "read" },
            preview: { contents: "read", "pull-requests": "write", "id-token": "write" },
            "offline-plan": { contents: "read" },
        }),
    );
    return problems;
}

export function planCommentProblems(wf: Workflow, previewName: string): string[] {
    const file = "plan-comment.yml";
    const problems: string[] = [];
    const run = triggers(wf).workflow_run;
    if (!run || !sameSet(run.workflows, [previewName]) || !sameSet(run.types, ["completed"])) {
        problems.push(`${file}: must run on workflow_run of "${previewName}" (types: [completed]) only`);
    }
    if (Object.keys(triggers(wf)).length !== 1) problems.push(`${file}: must have no trigger besides workflow_run`);
    const job = wf?.jobs?.comment;
    if (!job) return [...problems, `${file}: no comment job`];
    // It holds a write token: nothing of the pull request may run here.
    for (const action of ["actions/checkout", "actions/setup-node", ...credentialActions]) {
        if (stepsUsing(job, action).length)
            problems.push(`${file}: the commenter must not use ${action} (it holds a write token next to untrusted data)`);
    }
    for (const script of runScripts(job)) {
        if (/\b(npm|npx|node|bash|sh|source|eval)\b|\s\.\s/.test(script)) {
            problems.push(`${file}: the commenter must not run programs from the artifact (found: ${script.split("\n")[0]} ...)`);
        }
    }
    const download = stepsUsing(job, "actions/download-artifact")[0];
    if (!download || expr(download.with?.["run-id"]) !== "github.event.workflow_run.id") {
        problems.push(`${file}: the commenter must download the plan artifact of the triggering run`);
    }
    const sticky = stepsUsing(job, "marocchino/sticky-pull-request-comment")[0];
    if (!sticky || !expr(sticky.with?.number).startsWith("steps.")) {
        problems.push(`${file}: the commenter must post with a PR number it looked up itself (sticky comment with number from a step)`);
    }
    problems.push(...permissionProblems(file, wf, { comment: { actions: "read", "pull-requests": "write" } }));
    return problems;
}

export function deployProblems(wf: Workflow, stacks: string[]): string[] {
    const file = "deploy.yml";
    const problems: string[] = [];
    const on = triggers(wf);
    if (!on.push || !sameSet(on.push.branches, ["main"])) problems.push(`${file}: must run on push to main`);
    if (Object.keys(on).length !== 1) problems.push(`${file}: must run on push only`);
    const jobs = wf?.jobs ?? {};
    problems.push(...testJobProblems(file, jobs.test, "test"));
    const deploy = jobs.deploy;
    if (!deploy) return [...problems, `${file}: no deploy job`];
    if (!needsOf(deploy).includes("test")) problems.push(`${file}: the deploy job must wait for the tests (needs: test)`);
    problems.push(...matrixProblems(file, deploy, "deploy", stacks));
    if (deploy.strategy?.["max-parallel"] !== 1) problems.push(`${file}: stacks must deploy one at a time (strategy.max-parallel: 1)`);
    if (expr(deploy.environment) !== "matrix.stack" && expr(deploy.environment?.name) !== "matrix.stack") {
        problems.push(`${file}: the deploy job must run in the stack's environment (environment: \${{ matrix.stack }})`);
    }
    problems.push(...concurrencyProblems(file, deploy, "deploy", "matrix.stack"));
    problems.push(...cloudLoginProblems(file, deploy, "deploy"));
    problems.push(...pulumiStepProblems(file, deploy, "deploy", "up", "matrix.stack"));
    problems.push(...policyPackProblems(file, deploy, "deploy"));
    problems.push(...permissionProblems(file, wf, { test: { contents: "read" }, deploy: { contents: "read", "id-token": "write" } }));
    return problems;
}

/** `pulumi-<stack>`, never cancelling a running operation. */
function concurrencyProblems(file: string, job: Job, jobId: string, stackExpr: string): string[] {
    const c = job?.concurrency;
    const group = typeof c === "string" ? c : c?.group;
    const problems: string[] = [];
    if (String(group ?? "").replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, "{$1}") !== `pulumi-{${stackExpr}}`) {
        problems.push(`${file}: job ${jobId} must be in concurrency group pulumi-\${{ ${stackExpr} }} (shared by deploy and destroy)`);
    }
    if (typeof c !== "object" || c === null || c["cancel-in-progress"] !== false) {
        problems.push(`${file}: job ${jobId} must not cancel a running Pulumi operation (cancel-in-progress: false)`);
    }
    return problems;
}

export function destroyProblems(wf: Workflow, stacks: string[]): string[] {
    const file = "destroy.yml";
    const problems: string[] = [];
    const on = triggers(wf);
    const dispatch = on.workflow_dispatch;
    if (!dispatch || Object.keys(on).length !== 1) problems.push(`${file}: must run on workflow_dispatch only`);
    const stack = dispatch?.inputs?.stack;
    if (!stack || stack.type !== "choice" || stack.required !== true || !sameSet(stack.options, stacks)) {
        problems.push(
            `${file}: input stack must be a required choice of the stacks ${JSON.stringify(stacks)} (got ${JSON.stringify(stack?.options)})`,
        );
    }
    const confirm = dispatch?.inputs?.confirm;
    if (!confirm || confirm.required !== true) problems.push(`${file}: needs a required confirm input`);

    const jobs = wf?.jobs ?? {};
    const check = jobs.confirm;
    const compares =
        check &&
        expr(stepsOf(check)[0]?.env?.STACK) === "inputs.stack" &&
        expr(stepsOf(check)[0]?.env?.CONFIRM) === "inputs.confirm" &&
        runScripts(check).some((s) => /\[ "\$CONFIRM" != "\$STACK" \][\s\S]*exit 1/.test(s));
    if (!compares) problems.push(`${file}: a confirm job must fail unless inputs.confirm equals inputs.stack`);
    const destroy = jobs.destroy;
    if (!destroy) return [...problems, `${file}: no destroy job`];
    if (!needsOf(destroy).includes("confirm")) problems.push(`${file}: the destroy job must wait for the confirmation (needs: confirm)`);
    if (expr(destroy.environment) !== "inputs.stack" && expr(destroy.environment?.name) !== "inputs.stack") {
        problems.push(`${file}: the destroy job must run in the stack's environment (environment: \${{ inputs.stack }})`);
    }
    problems.push(...concurrencyProblems(file, destroy, "destroy", "inputs.stack"));
    problems.push(...cloudLoginProblems(file, destroy, "destroy"));
    problems.push(...pulumiStepProblems(file, destroy, "destroy", "destroy", "inputs.stack"));
    problems.push(...permissionProblems(file, wf, { confirm: {}, destroy: { contents: "read", "id-token": "write" } }));
    return problems;
}

/** Every problem of a set of workflow files. */
export function allProblems(texts: WorkflowTexts, stacks: string[]): string[] {
    const problems: string[] = [];
    const docs: Record<string, Workflow> = {};
    for (const [file, text] of Object.entries(texts)) {
        problems.push(...validatorErrors(text).map((e) => `${file}: action-validator: ${e}`));
        try {
            docs[file] = parse(text);
        } catch (e) {
            problems.push(`${file}: not YAML: ${(e as Error).message}`);
            continue;
        }
        problems.push(...commonProblems(file, docs[file]));
    }
    const need = ["preview.yml", "plan-comment.yml", "deploy.yml", "destroy.yml"];
    for (const file of need) if (!docs[file]) problems.push(`${file}: missing`);
    if (docs["preview.yml"]) problems.push(...previewProblems(docs["preview.yml"], stacks));
    if (docs["plan-comment.yml"]) problems.push(...planCommentProblems(docs["plan-comment.yml"], docs["preview.yml"]?.name ?? "Preview"));
    if (docs["deploy.yml"]) problems.push(...deployProblems(docs["deploy.yml"], stacks));
    if (docs["destroy.yml"]) problems.push(...destroyProblems(docs["destroy.yml"], stacks));
    return problems;
}
