/**
 * The embedded default config, used when neither `--config` nor `./rightsize.yaml` is given.
 * Kept as YAML so that `rightsize.example.yaml` and this stay the same language.
 */
export const DEFAULT_CONFIG_YAML = `
server:
  host: 127.0.0.1
  port: 8080
store:
  url: sqlite:.rightsize/rightsize.db
providers:
  # Any OpenAI-compatible server. OPENAI_BASE_URL may point it at Ollama, vLLM or LM Studio
  # (set OPENAI_API_KEY to any value for keyless local servers).
  openai:
    baseUrl: https://api.openai.com/v1
    baseUrlEnv: OPENAI_BASE_URL
    apiKeyEnv: OPENAI_API_KEY
    deployment: cloud
    maxTokensParameter: max_completion_tokens
specialists:
  registry: .rightsize/specialists
  train:
    - name: support-triage-fasttext
      data: ../shared/data/banking77/train.csv
      textColumn: text
      labelColumn: category
      arch: fasttext
    - name: support-triage
      data: ../shared/data/banking77/train.csv
      textColumn: text
      labelColumn: category
      arch: ensemble
  # Both tiers share one validation split (same file, fraction and seed); at start their thresholds
  # are chosen together so that what the specialists settle is >= 97 % right with 95 % confidence.
  calibrateRoutes:
    - route: support-triage
      targetAccuracy: 0.97
      confidence: 0.95
routes:
  support-triage:
    description: Banking support tickets -> one of 77 intents. Specialists first, then an LLM, then a person.
    labelsFrom: support-triage
    tiers:
      - model: specialist/support-triage-fasttext
        accept: { calibrated: true }
      - model: specialist/support-triage
        accept: { calibrated: true }
      - model: gpt-4o-mini
        accept: { labels: true }
      - model: human
`;
