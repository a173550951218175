/**
 * npm run chart-data -- --charts <folder with base/ istiod/ gateway/> --ref <git ref> --commit <sha> --out <folder>
 *
 * Writes `chart-value-keys.json` and `gateway.values.schema.json` for one Istio minor, the data
 * the tests check chart values against (tests/data/istio/<minor>/).
 */
import * as fs from "fs";
import * as path from "path";
import { readOptions, UsageError } from "../cli";
import { extractChartData } from "./extract";

function main(argv: string[]): number {
    try {
        const options = readOptions(argv, { valued: ["--charts", "--ref", "--commit", "--out"] });
        const need = (name: string) => {
            const v = options.values.get(name);
            if (!v) throw new UsageError(`${name} is required`);
            return v;
        };
        const charts = need("--charts");
        const out = need("--out");
        const data = extractChartData(charts, { ref: need("--ref"), commit: need("--commit") });
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "chart-value-keys.json"), JSON.stringify(data, null, 2) + "\n");
        fs.copyFileSync(path.join(charts, "gateway", "values.schema.json"), path.join(out, "gateway.values.schema.json"));
        console.log(`wrote ${out}/chart-value-keys.json and gateway.values.schema.json`);
        return 0;
    } catch (err) {
        console.error(err instanceof UsageError || err instanceof Error ? err.message : String(err));
        return 2;
    }
}

process.exitCode = main(process.argv.slice(2));
