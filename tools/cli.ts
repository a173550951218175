/** What the command-line tools share: their usage error and how they read options. Pure. */

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
 * Reads `--name value`, `--name=value` and `--flag`. Every option is given at most once; an
 * unknown one, a flag with a value or an option without one is a UsageError naming it.
 */
export function readOptions(argv: string[], spec: { valued: string[]; flags?: string[] }): Options {
    const flagNames = spec.flags ?? [];
    const known = [...spec.valued, ...flagNames];
    const options: Options = { values: new Map(), flags: new Set(), positionals: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("-")) {
            options.positionals.push(arg);
            continue;
        }
        const eq = arg.indexOf("=");
        const name = eq >= 0 ? arg.slice(0, eq) : arg;
        if (!known.includes(name)) throw new UsageError(`unknown option ${name} (options: ${known.join(", ")})`);
        if (options.values.has(name) || options.flags.has(name)) throw new UsageError(`${name} is given twice`);
        if (flagNames.includes(name)) {
            if (eq >= 0) throw new UsageError(`${name} takes no value`);
            options.flags.add(name);
            continue;
        }
        let value: string | undefined;
        if (eq >= 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("-")) value = argv[++i];
        if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
        options.values.set(name, value);
    }
    return options;
}

/** True when the command line asks for help. */
export const wantsHelp = (argv: string[]) => argv.some((a) => a === "-h" || a === "--help");
