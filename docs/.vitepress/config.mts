import { defineConfig } from 'vitepress';
import { packages } from './sidebar.generated.mjs';

export default defineConfig({
  title: 'mlxts',
  description: 'MLX for TypeScript and Node.js, generated from a YAML op schema',
  cleanUrls: false,
  // Internal links are checked at build time: a dead link fails the build.
  ignoreDeadLinks: false,
  srcExclude: ['test/**', 'README.md'],
  themeConfig: {
    nav: [
      { text: 'Language models', link: '/guide/language-model' },
      { text: 'Training', link: '/guide/training' },
      { text: 'Concepts', link: '/concepts/laziness' },
      { text: 'API', link: '/api/core/' },
      { text: 'Coverage', link: '/coverage' },
    ],
    sidebar: [
      {
        text: 'Guides',
        items: [
          { text: 'Running a language model', link: '/guide/language-model' },
          { text: '@mlxts/lm API', link: '/lm/' },
          { text: 'Training a model', link: '/guide/training' },
          { text: 'Performance', link: '/guide/performance' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Installing', link: '/concepts/install' },
          { text: 'Laziness and evaluation', link: '/concepts/laziness' },
          { text: 'Broadcasting and dtypes', link: '/concepts/broadcasting' },
          { text: 'Indexing', link: '/concepts/indexing' },
          { text: 'Memory', link: '/concepts/memory' },
          { text: 'Devices and streams', link: '/concepts/devices' },
          { text: 'Interop and shared memory', link: '/concepts/interop' },
          { text: 'Files: .npy, .safetensors, .gguf', link: '/concepts/io' },
          { text: 'Quantization', link: '/concepts/quantization' },
          { text: 'Random numbers', link: '/concepts/random' },
          { text: 'Transforms', link: '/concepts/transforms' },
          { text: 'Distributed', link: '/concepts/distributed' },
          { text: 'Adding an op', link: '/concepts/adding-an-op' },
          { text: 'Reliability and fuzzing', link: '/concepts/reliability' },
          { text: 'Coverage of the EMLX API', link: '/coverage' },
          { text: 'Coverage of the MLX headers', link: '/mlx-coverage' },
          { text: 'Differences from MLX Python', link: '/python-fidelity' },
        ],
      },
      {
        text: 'Transforms',
        collapsed: true,
        items: [
          { text: 'mx.grad', link: '/api/transforms/grad' },
          { text: 'mx.valueAndGrad', link: '/api/transforms/value-and-grad' },
          { text: 'mx.vjp', link: '/api/transforms/vjp' },
          { text: 'mx.jvp', link: '/api/transforms/jvp' },
          { text: 'mx.vmap', link: '/api/transforms/vmap' },
          { text: 'mx.compile', link: '/api/transforms/compile' },
          { text: 'mx.checkpoint', link: '/api/transforms/checkpoint' },
          { text: 'mx.customFunction', link: '/api/transforms/custom-function' },
          { text: 'Trees', link: '/api/transforms/trees' },
        ],
      },
      ...packages,
      // Hand-written reference pages of the packages above the op families.
      {
        text: 'Models and training',
        items: [
          { text: 'Neural networks (@mlxts/nn)', link: '/api/nn/' },
          { text: 'Optimizers (@mlxts/optimizers)', link: '/api/optimizers/' },
        ],
      },
    ],
    search: { provider: 'local' },
  },
});
