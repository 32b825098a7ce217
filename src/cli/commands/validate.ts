import { validateConfigFile, formatIssue, type ValidationReport } from '../../config/index.js';
import { notBuiltSectionsOf } from '../../compression/refusals.js';
import type { RegisterCommand } from './index.js';

interface ValidateOptions {
  printDefaults?: boolean;
}

/**
 * `nncf-ts validate FILE…`: `OK FILE` or `FAIL FILE` with one line per problem.
 * Exit 0 when all files are valid, 1 when any is invalid, 2 when any cannot be read.
 * With --print-defaults the filled-in configs go to stdout and the status lines to stderr,
 * so that `nncf-ts validate --print-defaults c.json > full.json` gives clean JSON.
 */
export const registerValidate: RegisterCommand = (program, setExitCode) => {
  program
    .command('validate')
    .description('validate NNCF config files (JSON with comments and trailing commas)')
    .argument('<files...>', 'config files to validate')
    .option('--print-defaults', 'print each valid config with every default filled in')
    .action((files: string[], options: ValidateOptions) => {
      const status = options.printDefaults ? process.stderr : process.stdout;
      let exitCode = 0;
      for (const file of files) {
        const report = validateConfigFile(file);
        status.write(renderReport(file, report));
        if (report.valid && options.printDefaults) {
          const header = files.length > 1 ? `// ${file}\n` : '';
          process.stdout.write(`${header}${JSON.stringify(report.withDefaults, null, 2)}\n`);
        }
        exitCode = Math.max(exitCode, exitCodeOf(report));
      }
      setExitCode(exitCode);
    });
};

function exitCodeOf(report: ValidationReport): number {
  if (report.valid) return 0;
  return report.issues.some((issue) => issue.kind === 'file-not-found') ? 2 : 1;
}

function renderReport(file: string, report: ValidationReport): string {
  const lines = [`${report.valid ? 'OK' : 'FAIL'} ${file}`];
  for (const issue of report.issues) lines.push(`  ${formatIssue(issue, file)}`);
  // Valid NNCF, but compress/train would refuse it: say so now rather than after loading a model.
  if (report.valid) {
    for (const section of notBuiltSectionsOf(report.document)) {
      lines.push(
        `  note: "${section}" is valid NNCF but not built yet in nncf-ts: compress and train refuse it`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
