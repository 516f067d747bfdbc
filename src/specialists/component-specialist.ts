import { combineProbabilities } from './calibration/fit-combiner.ts';
import type { CosineKnn } from './encoder/cosine-knn.ts';
import { createMicroBatcher } from './encoder/micro-batcher.ts';
import { embedTexts } from './encoder/sentence-encoder.ts';
import type { SoftmaxRegression } from './encoder/softmax-regression.ts';
import type { VectorCache } from './encoder/vector-cache.ts';
import type { FastTextClassifier } from './fasttext/fasttext-classifier.ts';
import { type Specialist, type SpecialistMetadata, type SpecialistPrediction, toPrediction } from './specialist.ts';

/** The trained parts a specialist combines; which ones are present depends on its architecture. */
export interface SpecialistComponents {
  fasttext?: FastTextClassifier | undefined;
  encoder?: SoftmaxRegression | undefined;
  knn?: CosineKnn | undefined;
}

/**
 * Raw (uncalibrated) probability vectors of each component named in `names`, per text:
 * result[component][text]. Encoder-based components share one batched encoder pass.
 */
export async function componentProbabilities(
  components: SpecialistComponents,
  names: readonly string[],
  texts: readonly string[],
  vectorCache?: VectorCache,
): Promise<Float64Array[][]> {
  const needsVectors = names.some((name) => name === 'encoder' || name === 'knn');
  const vectors = needsVectors ? await embedTexts(texts, { cache: vectorCache }) : [];
  return names.map((name) => {
    switch (name) {
      case 'fasttext': {
        const model = required(components.fasttext, name);
        return texts.map((text) => model.probabilities(text));
      }
      case 'encoder': {
        const model = required(components.encoder, name);
        return vectors.map((vector) => model.probabilities(vector));
      }
      case 'knn': {
        const model = required(components.knn, name);
        return vectors.map((vector) => model.probabilities(vector));
      }
      default:
        throw new Error(`unknown specialist component ${name}`);
    }
  });
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`specialist component ${name} is not loaded`);
  return value;
}

/**
 * A loaded specialist: its components and the fitted combiner of its metadata.
 * @param vectorCache optional sentence-vector cache (evaluation and benchmarks; serving runs without).
 */
export function createComponentSpecialist(options: {
  metadata: SpecialistMetadata;
  components: SpecialistComponents;
  vectorCache?: VectorCache | undefined;
}): Specialist {
  const { metadata, components } = options;
  const { combiner } = metadata;
  const weights = combiner.weights.map((weight) => weight / combiner.temperature);
  const labels = metadata.labels;

  const probabilities = async (texts: readonly string[]): Promise<Float64Array[]> => {
    const raw = await componentProbabilities(components, combiner.components, texts, options.vectorCache);
    return texts.map((_, index) =>
      combineProbabilities(
        raw.map((component) => component[index] as Float64Array),
        weights,
      ),
    );
  };
  const predictBatch = async (texts: readonly string[]): Promise<SpecialistPrediction[]> =>
    (await probabilities(texts)).map((vector) => toPrediction(labels, vector));

  const fasttext = components.fasttext;
  const fastTextOnly = combiner.components.length === 1 && combiner.components[0] === 'fasttext' && fasttext;
  const scratch = new Float64Array(labels.length);
  const weight = weights[0] ?? 1;
  const predictSync = fastTextOnly
    ? (text: string): SpecialistPrediction => {
        // Temperature scaling of one component, inlined: p^w renormalised.
        const vector = fasttext.probabilities(text, scratch);
        let total = 0;
        for (let c = 0; c < vector.length; c++) {
          vector[c] = vector[c]! ** weight;
          total += vector[c]!;
        }
        for (let c = 0; c < vector.length; c++) vector[c] = vector[c]! / total;
        return toPrediction(labels, vector);
      }
    : undefined;

  const specialist: Specialist = {
    name: metadata.name,
    arch: metadata.arch,
    labels,
    threshold: metadata.threshold?.threshold,
    thresholdCalibration: metadata.threshold,
    metadata,
    predict: predictSync
      ? async (text: string) => predictSync(text)
      : createMicroBatcher({ run: (texts: string[]) => predictBatch(texts) }),
    predictBatch,
    probabilities,
    close() {
      components.fasttext?.close();
    },
  };
  if (predictSync) Object.assign(specialist, { predictSync });
  return specialist;
}
