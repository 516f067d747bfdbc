import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { createComponentSpecialist, type SpecialistComponents } from '../component-specialist.ts';
import { CosineKnn, DEFAULT_COSINE_KNN_HYPER_PARAMETERS } from '../encoder/cosine-knn.ts';
import { SENTENCE_VECTOR_DIMENSION } from '../encoder/sentence-encoder.ts';
import { SoftmaxRegression } from '../encoder/softmax-regression.ts';
import { VectorCache } from '../encoder/vector-cache.ts';
import { FastTextClassifier } from '../fasttext/fasttext-classifier.ts';
import {
  type Specialist,
  type SpecialistMetadata,
  specialistMetadataSchema,
  type ThresholdCalibration,
} from '../specialist.ts';
import { encoderCachePath, METADATA_FILE, specialistDirectory } from './specialist-paths.ts';

/** Options of {@link loadSpecialist}. */
export interface LoadSpecialistOptions {
  /**
   * Reuse sentence vectors from the registry's disk cache (and add new ones): for evaluation and
   * benchmarks over fixed data. Serving leaves it off. @default false
   */
  useVectorCache?: boolean;
}

/**
 * Reads and validates a specialist's `specialist.json`.
 * @throws RightsizeError `model_not_found` when the registry has no specialist of that name,
 *   `invalid_config` when its metadata is unreadable or from another format.
 */
export function readSpecialistMetadata(registryDir: string, name: string): SpecialistMetadata {
  const path = join(specialistDirectory(registryDir, name), METADATA_FILE);
  if (!existsSync(path)) {
    const known = listSpecialists(registryDir).map((entry) => entry.name);
    throw new RightsizeError(
      'model_not_found',
      `specialist "${name}" is not in the registry ${registryDir}` +
        (known.length > 0 ? ` (found: ${known.join(', ')})` : ' (it is empty)') +
        `: train it with \`rightsize train --name ${name} --data FILE\``,
      { param: 'model' },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RightsizeError('invalid_config', `${path} is not valid JSON: retrain the specialist`, { cause: error });
  }
  const parsed = specialistMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RightsizeError(
      'invalid_config',
      `${path} does not match the specialist format (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}): retrain the specialist`,
    );
  }
  return parsed.data;
}

/**
 * Loads a trained specialist from `<registryDir>/<name>/`, ready to predict in process.
 * Each fastText model gets its own WebAssembly instance; the sentence encoder is shared by the process.
 * @throws RightsizeError `model_not_found` or `invalid_config` (see {@link readSpecialistMetadata}).
 */
export async function loadSpecialist(
  registryDir: string,
  name: string,
  options: LoadSpecialistOptions = {},
): Promise<Specialist> {
  const metadata = readSpecialistMetadata(registryDir, name);
  const directory = specialistDirectory(registryDir, name);
  const file = (component: string): string => {
    const relative = metadata.files[component];
    if (relative === undefined) {
      throw new RightsizeError('invalid_config', `specialist "${name}" lists no ${component} file: retrain it`);
    }
    return join(directory, relative);
  };
  const classes = metadata.labels.length;
  const components: SpecialistComponents = {};
  const names = metadata.combiner.components;
  if (names.includes('fasttext')) components.fasttext = await FastTextClassifier.load(file('fasttext'), classes);
  function readVectorComponents(): void {
    if (names.includes('encoder')) {
      const path = file('encoder');
      components.encoder = readComponent(path, () =>
        SoftmaxRegression.fromBytes(readFileSync(path), SENTENCE_VECTOR_DIMENSION, classes),
      );
    }
    if (names.includes('knn')) {
      const knnParameters = (metadata.hyperParameters['knn'] ?? {}) as {
        k?: number;
        temperature?: number;
        rows?: number;
      };
      const path = file('knn');
      components.knn = readComponent(path, () =>
        CosineKnn.fromBytes(readFileSync(path), {
          rows: knnParameters.rows ?? 0,
          dimension: SENTENCE_VECTOR_DIMENSION,
          classes,
          hyperParameters: {
            k: knnParameters.k ?? DEFAULT_COSINE_KNN_HYPER_PARAMETERS.k,
            temperature: knnParameters.temperature ?? DEFAULT_COSINE_KNN_HYPER_PARAMETERS.temperature,
          },
        }),
      );
    }
  }
  try {
    readVectorComponents();
  } catch (error) {
    components.fasttext?.close();
    throw error;
  }
  const vectorCache = options.useVectorCache
    ? new VectorCache({ path: encoderCachePath(registryDir), dimension: SENTENCE_VECTOR_DIMENSION })
    : undefined;
  return createComponentSpecialist({ metadata, components, vectorCache });
}

/**
 * Reads one component file of a specialist.
 * @throws RightsizeError `invalid_config` naming the file when it is missing, truncated or not the
 *   component's format (the cause says which).
 */
function readComponent<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw new RightsizeError(
      'invalid_config',
      `the specialist file ${path} is corrupt or unreadable (${(cause as Error).message}): retrain the specialist (\`rightsize train --force\`)`,
      { cause },
    );
  }
}

/** A registry entry, as `listSpecialists` reports it. */
export interface SpecialistSummary {
  name: string;
  arch: SpecialistMetadata['arch'];
  labels: number;
  validationAccuracy: number;
  threshold: number | undefined;
  createdAt: string;
}

/** The specialists of a registry, by name; an absent registry folder has none. */
export function listSpecialists(registryDir: string): SpecialistSummary[] {
  if (!existsSync(registryDir)) return [];
  const summaries: SpecialistSummary[] = [];
  for (const entry of readdirSync(registryDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(registryDir, entry.name, METADATA_FILE);
    if (!existsSync(path)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // A half-written or damaged folder is not a specialist; loading it by name explains why.
      continue;
    }
    const parsed = specialistMetadataSchema.safeParse(raw);
    if (!parsed.success) continue;
    summaries.push({
      name: parsed.data.name,
      arch: parsed.data.arch,
      labels: parsed.data.labels.length,
      validationAccuracy: parsed.data.validation.accuracy,
      threshold: parsed.data.threshold?.threshold,
      createdAt: parsed.data.createdAt,
    });
  }
  return summaries.sort((a, b) => a.name.localeCompare(b.name));
}

/** Stores a calibrated threshold in a specialist's metadata (loaded specialists keep the old one until reloaded). */
export function saveThresholdCalibration(
  registryDir: string,
  name: string,
  threshold: ThresholdCalibration,
): SpecialistMetadata {
  const metadata = { ...readSpecialistMetadata(registryDir, name), threshold };
  writeFileSync(join(specialistDirectory(registryDir, name), METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}
