/** What the command-line tools share: their usage error and how they read options. Pure. */
import { parseArgs } from "util";

/** A bad command line; its message says what to change. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Options as given: values by option, flags that were given, and the words that are no option. */
export interface Options {
    values: Map<string, string>;
    flags: Set<string>;
    positionals: string[];
}

/**
 * Reads `--name value`, `--name=value` and `--flag`, tokenized by Node's `util.parseArgs`. Every
 * option is given at most once; an unknown one, a flag with a value or an option without one is
 * a UsageError naming it.
 */
export function readOptions(argv: string[], spec: { valued: string[]; flags?: string[] }): Options {
    const flagNames = spec.flags ?? [];
    const known = [...spec.valued, ...flagNames];
    const declared = Object.fromEntries([
        ...spec.valued.map((n) => [n.replace(/^--/, ""), { type: "string" as const }]),
        ...flagNames.map((n) => [n.replace(/^--/, ""), { type: "boolean" as const }]),
    ]);
    // Not strict: the checks below give this tool's own messages. A value that starts with "-"
    // is never taken as an option's value.
    const { tokens } = parseArgs({ args: argv, options: declared, strict: false, allowPositionals: true, tokens: true });
    const options: Options = { values: new Map(), flags: new Set(), positionals: [] };
    for (const token of tokens) {
        if (token.kind === "positional") {
            options.positionals.push(token.value);
            continue;
        }
        if (token.kind !== "option") continue;
        const name = token.rawName;
        if (!known.includes(name)) throw new UsageError(`unknown option ${name} (options: ${known.join(", ")})`);
        if (options.values.has(name) || options.flags.has(name)) throw new UsageError(`${name} is given twice`);
        if (flagNames.includes(name)) {
            if (token.inlineValue) throw new UsageError(`${name} takes no value`);
            options.flags.add(name);
            continue;
        }
        if (token.value === undefined || token.value === "" || (!token.inlineValue && token.value.startsWith("-"))) {
            throw new UsageError(`${name} needs a value`);
        }
        options.values.set(name, token.value);
    }
    return options;
}

/** True when the command line asks for help. */
export const wantsHelp = (argv: string[]) => argv.some((a) => a === "-h" || a === "--help");
