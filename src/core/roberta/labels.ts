/**
 * Which output index means "machine-written". OpenAI's detector says `id2label {0: "Fake", 1: "Real"}`:
 * index 0 is machine. Read it from config.json by name; never assume a position.
 */
export const MACHINE_LABELS = ['fake', 'machine', 'generated', 'ai', 'machine-generated', 'ai-generated'];
export const HUMAN_LABELS = ['real', 'human', 'human-written'];

export interface ModelConfig {
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  num_labels?: number;
  max_position_embeddings?: number;
  pad_token_id?: number;
}

/**
 * The index of the machine label. `machineLabel` (from the registry) wins; otherwise the one label
 * whose name reads as machine. Throws when config.json does not say, rather than guessing.
 */
export function machineIndex(config: ModelConfig, machineLabel?: string): number {
  const entries = Object.entries(config.id2label ?? {}).map(([i, name]) => [Number(i), String(name)] as const);
  if (entries.length < 2) throw new Error('config.json has no id2label: cannot tell which output means machine-written');
  const wanted = machineLabel
    ? entries.filter(([, n]) => n.toLowerCase() === machineLabel.toLowerCase())
    : entries.filter(([, n]) => MACHINE_LABELS.includes(n.toLowerCase()));
  if (wanted.length !== 1) {
    throw new Error(`config.json id2label ${JSON.stringify(config.id2label)} has no single "${machineLabel ?? 'machine'}" label`);
  }
  const [index] = wanted[0]!;
  if (!Number.isInteger(index) || index < 0 || index >= entries.length) throw new Error(`bad label index ${index}`);
  return index;
}

/** Machine log-odds from one row of logits: l[m] - logsumexp(others). P(machine) = sigmoid of it = softmax(l)[m]. */
export function machineLogit(logits: ArrayLike<number>, m: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (i !== m) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) if (i !== m) sum += Math.exp(logits[i]! - max);
  return logits[m]! - (max + Math.log(sum));
}

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
