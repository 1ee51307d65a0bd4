export { createZeroShotHubDetector, loadCausalLm, lmFiles, zeroShotRepos, type HubSource, type LmFiles, type LoadedZeroShot, type ZeroShotHubOptions } from './hub.ts';
export { createBinoculars, createFastDetectGpt, provisionalReading, STATISTICS, TokenizerMismatchError, type BinocularsTerms, type FastDetectGptTerms, type ZeroShotDetector, type ZeroShotMethod } from './detectors.ts';
export { applyCalibration, auroc, CalibrationError, fitCalibration, fitLogistic, type ZeroShotCalibration } from './calibration.ts';
export { chooseLmVariant, findLanguageModel, findZeroShot, LANGUAGE_MODELS, modelsOf, ZEROSHOT, type LanguageModelEntry, type ZeroShotEntry } from './registry.ts';
export { defaultBatchTokens, forEachWindow, lmSessionRunner, lmShapeFromConfig, planLmBatches, type CausalLm, type LmRunner, type LmShape, type LogitsBatch } from './causal-lm.ts';
export { makeLmWindows, windowSpans, DEFAULT_OVERLAP, MAX_WINDOW, type LmWindow } from './windows.ts';
