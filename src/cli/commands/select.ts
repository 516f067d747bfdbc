import { type Command, InvalidArgumentError, Option } from 'commander';

function number(name: string, check: (value: number) => boolean, expected: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
      throw new InvalidArgumentError(`${name} must be ${expected}, got "${text}"`);
    }
    return value;
  };
}

function modalities(text: string): Array<'text' | 'image' | 'audio'> {
  const parts = text.split(',').map((part) => part.trim().toLowerCase());
  const known = ['text', 'image', 'audio'] as const;
  const bad = parts.filter((part) => !(known as readonly string[]).includes(part));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown modality ${bad.join(', ')}; use text, image, audio`);
  return [...new Set(parts)] as Array<'text' | 'image' | 'audio'>;
}

interface SelectOptions {
  task: 'repetitive' | 'varied';
  domainSpecific?: boolean;
  highStakes?: boolean;
  modalities?: Array<'text' | 'image' | 'audio'>;
  taskFamily?: string;
  tools?: boolean;
  volumePerDay?: number;
  maxLatencyMs?: number;
  minAccuracy?: number;
  maxCostUsd?: number;
  tokensIn?: number;
  tokensOut?: number;
  deployment: 'edge' | 'on-prem' | 'cloud' | 'hybrid';
  sensitiveData?: boolean;
  config?: string;
  json?: boolean;
}

/**
 * `rightsize select`: the decision matrix over the catalog (built-in models plus the config's
 * `models`), printed as tables, or as JSON with `--json`.
 */
export function registerSelectCommand(program: Command): void {
  program
    .command('select')
    .description('Pick the smallest models that fit a task, its requirements and its deployment (the decision matrix)')
    .addOption(
      new Option('--task <kind>', 'repetitive or varied').choices(['repetitive', 'varied']).makeOptionMandatory(),
    )
    .option('--domain-specific', 'a narrow domain (with repetitive: favours small models)')
    .option('--high-stakes', 'accuracy-critical work (favours reasoning models)')
    .option('--modalities <list>', 'input modalities, comma-separated: text,image,audio', modalities)
    .option(
      '--task-family <name>',
      'task family, to use measured quality from the catalog (e.g. banking77; one the catalog has figures for)',
    )
    .option('--tools', 'the requests need tool calls')
    .option(
      '--volume-per-day <n>',
      'requests a day, for the monthly cost',
      number('--volume-per-day', (v) => v > 0, 'a positive number'),
    )
    .option(
      '--max-latency-ms <n>',
      'latency budget per request, ms',
      number('--max-latency-ms', (v) => v > 0, 'a positive number of ms'),
    )
    .option(
      '--min-accuracy <x>',
      'accuracy floor, 0-1',
      number('--min-accuracy', (v) => v >= 0 && v <= 1, 'between 0 and 1'),
    )
    .option(
      '--max-cost-usd <x>',
      'cost ceiling per request, USD',
      number('--max-cost-usd', (v) => v >= 0, 'a non-negative amount of USD'),
    )
    .option(
      '--tokens-in <n>',
      'typical input tokens (default 500)',
      number('--tokens-in', (v) => Number.isInteger(v) && v >= 0, 'a whole number'),
    )
    .option(
      '--tokens-out <n>',
      'typical output tokens (default 200)',
      number('--tokens-out', (v) => Number.isInteger(v) && v >= 0, 'a whole number'),
    )
    .addOption(
      new Option('--deployment <target>', 'where the data may go')
        .choices(['edge', 'on-prem', 'cloud', 'hybrid'])
        .default('cloud'),
    )
    .option('--sensitive-data', 'the data is sensitive (under hybrid: local models only)')
    .option(
      '--config <path>',
      'config file whose models extend the built-in catalog (default: rightsize.yaml if present)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: SelectOptions) => {
      const [{ createCatalog }, { loadConfig }, { selectModels }, { renderSelection }, { resolveTaskFamily }] =
        await Promise.all([
          import('../../catalog/create-catalog.ts'),
          import('../../config/load-config.ts'),
          import('../../selection/select-models.ts'),
          import('../../selection/render-selection.ts'),
          import('../../selection/resolve-task-family.ts'),
        ]);
      const { config } = loadConfig({ path: options.config });
      const catalog = createCatalog(config.models);
      const taskFamily = options.taskFamily === undefined ? undefined : resolveTaskFamily(catalog, options.taskFamily);
      const result = selectModels(
        {
          task: options.task,
          domainSpecific: options.domainSpecific === true,
          highStakes: options.highStakes === true,
          modalities: options.modalities ?? ['text'],
          tools: options.tools === true,
          ...(taskFamily !== undefined && { taskFamily }),
          ...(options.volumePerDay !== undefined && { volumePerDay: options.volumePerDay }),
        },
        {
          ...(options.maxLatencyMs !== undefined && { maxLatencyMs: options.maxLatencyMs }),
          ...(options.minAccuracy !== undefined && { minAccuracy: options.minAccuracy }),
          ...(options.maxCostUsd !== undefined && { maxCostUsd: options.maxCostUsd }),
          ...(options.tokensIn !== undefined && { tokensIn: options.tokensIn }),
          ...(options.tokensOut !== undefined && { tokensOut: options.tokensOut }),
        },
        { target: options.deployment, sensitiveData: options.sensitiveData === true },
        catalog,
      );
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderSelection(result)}\n`);
    });
}
