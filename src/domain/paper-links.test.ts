import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/support/records.ts';
import { mergePaperRecords, type PaperRecord } from './paper.ts';
import { findPaperLinks, preferExplicitLink } from './paper-links.ts';

const inAbstract = (abstract: string) => findPaperLinks({ abstract });
const inComments = (comments: string) => findPaperLinks({ comments });

describe('findPaperLinks on real arXiv metadata', () => {
  // Abstracts and comments as arXiv serves them (../shared/data: seed papers, the snapshot, the API recording).
  it.each([
    [
      '2301.12664',
      'fluid physics. Code is available at https://github.com/thuml/Latent-Spectral-Models.',
      'https://github.com/thuml/Latent-Spectral-Models',
    ],
    [
      '2202.09778',
      'different variance schedules. Our implementation is available at https://github.com/luping-liu/PNDM.',
      'https://github.com/luping-liu/PNDM',
    ],
    [
      '2412.18840',
      'compared to IFactFormer-o. Code and data are available at: https://github.com/huiyu-2002/IFactFormer-m.',
      'https://github.com/huiyu-2002/IFactFormer-m',
    ],
    [
      '2310.01174',
      'The code for our solver can be found at https://github.com/ngushchin/LightSB',
      'https://github.com/ngushchin/LightSB',
    ],
    [
      '2310.13268',
      'a speed-up of 15\\%sim30\\% compared to previous state-of-the-art training-free methods. Code is available at ' +
        'https://github.com/thu-ml/DPM-Solver-v3.',
      'https://github.com/thu-ml/DPM-Solver-v3',
    ],
  ])('%s: the repository in the abstract', (_id, abstract, repo) => {
    expect(inAbstract(abstract)).toEqual({ githubRepo: repo, projectPage: null });
  });

  it('2405.19101: the code, not the Hugging Face models and datasets after it', () => {
    const abstract =
      'Poseidon model as well as underlying pretraining and downstream datasets are open sourced, with code being ' +
      'available at https://github.com/camlab-ethz/poseidon and pretrained models and datasets at ' +
      'https://huggingface.co/camlab-ethz.';
    expect(inAbstract(abstract)).toEqual({ githubRepo: 'https://github.com/camlab-ethz/poseidon', projectPage: null });
  });

  it('2105.02446: audio samples on github.io and the code, in one abstract', () => {
    const abstract =
      'text-to-speech task (DiffSpeech). Audio samples: https://diffsinger.github.io. Codes:\n' +
      'https://github.com/MoonInTheRiver/DiffSinger. The old title of this work: "DiffSinger: Diffusion\n' +
      'Acoustic Model for Singing Voice Synthesis".';
    expect(inAbstract(abstract)).toEqual({
      githubRepo: 'https://github.com/MoonInTheRiver/DiffSinger',
      projectPage: 'https://diffsinger.github.io/',
    });
  });

  it.each([
    [
      '2408.03356',
      'on the Blender dataset. Project page with videos and code: https://raygauss.github.io/',
      'https://raygauss.github.io/',
    ],
    [
      '2412.05994',
      'Our project page is available at https://namgyukang.github.io/Physics-Informed-Gaussians/',
      'https://namgyukang.github.io/Physics-Informed-Gaussians/',
    ],
    [
      'REST (arXiv API recording)',
      'Code and results are available at https://opendatalab.github.io/REST.',
      'https://opendatalab.github.io/REST',
    ],
    [
      '0704.0128',
      'Results. The light curve repository website\n(http://www.swift.ac.uk/xrt_curves) contains light curves',
      'http://www.swift.ac.uk/xrt_curves',
    ],
  ])('%s: the project page', (_id, abstract, page) => {
    expect(inAbstract(abstract)).toEqual({ githubRepo: null, projectPage: page });
  });

  it.each([
    [
      '0704.0086',
      'Published in at http://dx.doi.org/10.1214/07-AAP481 the Annals of\n  Applied Probability (http://www.imstat.org/aap/) by the Institute of Mathematical Statistics (http://www.imstat.org)',
    ],
    [
      '0704.0156',
      'version of the papaer can be downloaded from\n  http://rwcc.bao.ac.cn:8001/swap/NLFFF_DBIE_code/HeHan_NLFFF_JGR.pdf (3.76 MB\n  pdf file)',
    ],
    [
      '0704.0026',
      'Powerpoint from NKS 2006, available at\n  http://wolframscience.com/conference/2006/presentations/materials/demarrais.ppt\n  [v2: small changes]',
    ],
    [
      '0704.0192',
      '50 pages; Full paper with all figures available at\n  http://www.gb.nrao.edu/~koneil; Accepted by AJ',
    ],
    ['0704.0066', 'For related papers, visit the\n  "publication" pages at http://theo.inrne.bas.bg/~bozho/'],
    [
      'ESEC/FSE',
      "Paderborn, Germany, September 4-8, 2017 (ESEC/FSE'17). https://doi.org/10.1145/3106237.3106277, 12 pages",
    ],
    ['cs.SE', 'We evaluate how different setup styles perform using GitHub'],
  ])('%s: no links in journal notices, PDFs, slides, personal pages, DOIs or prose', (_id, comments) => {
    expect(inComments(comments)).toEqual({ githubRepo: null, projectPage: null });
  });
});

describe('findPaperLinks on tricky text', () => {
  it.each([
    ['github.com/owner/repo.git', 'Code: github.com/owner/repo.git'],
    ['trailing punctuation', 'Code (https://github.com/owner/repo), data elsewhere.'],
    ['a trailing slash and full stop', 'Our code: https://github.com/owner/repo/.'],
    [
      'tree/main/... trimmed to the repository',
      'See https://github.com/owner/repo/tree/main/src/model.py for details.',
    ],
    ['www. and http', 'Source code: http://www.github.com/owner/repo'],
    ['\\url{...}', 'Code is available at \\url{https://github.com/owner/repo}.'],
    ['\\href{...}{...}', 'Code: \\href{https://github.com/owner/repo}{our repository}.'],
    ['a URL split by a line break after a slash', 'Code is available at https://github.com/owner/\n  repo and more.'],
    ['angle brackets', 'Code is at <https://github.com/owner/repo>.'],
  ])('%s', (_name, comments) => {
    expect(inComments(comments).githubRepo).toBe('https://github.com/owner/repo');
  });

  it('keeps TeX-escaped underscores and tildes as the characters they stand for', () => {
    expect(inComments('Code: \\url{https://github.com/my-lab/deep\\_net}').githubRepo).toBe(
      'https://github.com/my-lab/deep_net',
    );
    expect(inComments('Project page: \\url{https://www.cs.example.edu/\\~{}ada/deep\\_net/}').projectPage).toBe(
      'https://www.cs.example.edu/~ada/deep_net/',
    );
    expect(inComments('Project page: http://www.cs.example.edu/$\\sim$ada/net').projectPage).toBe(
      'http://www.cs.example.edu/~ada/net',
    );
  });

  it('joins a URL wrapped inside \\url{} or at a hyphen, but not a URL followed by prose on the next line', () => {
    expect(inComments('Project page:\n  \\url{https://ada.github.io/deep-\n  net/}').projectPage).toBe(
      'https://ada.github.io/deep-net/',
    );
    expect(inComments('Project page: https://ada.github.io/deep-\n  net-v2/ (videos)').projectPage).toBe(
      'https://ada.github.io/deep-net-v2/',
    );
    expect(inComments('Project page: https://ada.github.io/\n  which has videos').projectPage).toBe(
      'https://ada.github.io/',
    );
    expect(inComments('Code: https://github.com/owner/repo.\n  12 pages, 3 figures').githubRepo).toBe(
      'https://github.com/owner/repo',
    );
  });

  it('prefers the repository introduced as the paper’s code over one it merely used', () => {
    const abstract =
      'We build on https://github.com/huggingface/transformers to train the models. Our code is released at ' +
      'https://github.com/ada/tiny-model.';
    expect(inAbstract(abstract).githubRepo).toBe('https://github.com/ada/tiny-model');
  });

  it.each([
    ['organisations', 'See https://github.com/orgs/openai/repositories'],
    ['GitHub features', 'Powered by https://github.com/features/actions'],
    ['gists', 'Snippet: https://gist.github.com/ada/0123456789abcdef'],
    ['a user page without a repository', 'Author page: https://github.com/ada'],
    ['a user page with a trailing slash', 'Code at https://github.com/ada/ soon.'],
    ['raw files', 'Data: https://raw.githubusercontent.com/ada/repo/main/data.csv'],
  ])('no repository for %s', (_name, comments) => {
    expect(inComments(comments).githubRepo).toBeNull();
  });

  it.each([
    [
      'a demo on Hugging Face Spaces',
      'Demo: https://huggingface.co/spaces/ada/tiny-demo',
      'https://huggingface.co/spaces/ada/tiny-demo',
    ],
    ['a homepage', 'Homepage: https://tiny-model.example.org.', 'https://tiny-model.example.org/'],
    [
      'a website in parentheses',
      'More results on our website (https://tiny.example.org/results).',
      'https://tiny.example.org/results',
    ],
    ['a bare github.io site', 'Videos at ada.github.io/tiny', 'https://ada.github.io/tiny'],
    [
      '\\href with the cue as its text',
      'See our \\href{https://tiny.example.org}{project page}.',
      'https://tiny.example.org/',
    ],
  ])('a project page: %s', (_name, comments, page) => {
    expect(inComments(comments).projectPage).toBe(page);
  });

  it.each([
    ['arXiv', 'Project page: https://arxiv.org/abs/2206.00927'],
    ['a DOI', 'Project page: https://doi.org/10.1145/3106237.3106277'],
    ['a PDF', 'Project page: https://tiny.example.org/paper.pdf'],
    ['a dataset host', 'Project website: https://zenodo.org/records/123456'],
    ['a Hugging Face dataset', 'Project page: https://huggingface.co/datasets/ada/tiny'],
    ['GitHub itself', 'Project page: https://github.com/ada/tiny'],
    ['a URL without a cue', 'Accepted at a workshop, https://workshop.example.org/2024/'],
  ])('no project page for %s', (_name, comments) => {
    expect(inComments(comments).projectPage).toBeNull();
  });

  it('finds nothing in text without links, and in nothing', () => {
    expect(findPaperLinks({ abstract: 'We study the heat equation.', comments: '12 pages' })).toEqual({
      githubRepo: null,
      projectPage: null,
    });
    expect(findPaperLinks({})).toEqual({ githubRepo: null, projectPage: null });
  });

  it('looks in the abstract and the comments', () => {
    expect(
      findPaperLinks({
        abstract: 'Code: https://github.com/ada/tiny.',
        comments: 'Project page: https://ada.github.io/tiny',
      }),
    ).toEqual({ githubRepo: 'https://github.com/ada/tiny', projectPage: 'https://ada.github.io/tiny' });
  });
});

describe('explicit links win over links found in the text', () => {
  const abstract = 'Code is available at https://github.com/ada/found.';
  const version = (version: number) => [{ version, created: `2024-0${version}-01T00:00:00.000Z` }];
  const paper = (overrides: Partial<PaperRecord>) => testRecord('2406.01234', { abstract, ...overrides });

  it('keeps a submitter’s or a source’s link when a newer record only found one in its abstract', () => {
    const stored = paper({ githubRepo: 'https://github.com/ada/explicit', versions: version(1) });
    const incoming = paper({ githubRepo: 'https://github.com/ada/found', versions: version(2) });
    expect(preferExplicitLink(incoming, stored, 'githubRepo')).toBe('https://github.com/ada/explicit');
    expect(mergePaperRecords(stored, incoming).githubRepo).toBe('https://github.com/ada/explicit');
  });

  it('takes a found link where nothing was known, and a newer explicit link over an older one', () => {
    const bare = paper({ versions: version(1) });
    const found = paper({ githubRepo: 'https://github.com/ada/found', versions: version(1) });
    expect(mergePaperRecords(bare, found).githubRepo).toBe('https://github.com/ada/found');
    const explicit = paper({ githubRepo: 'https://github.com/ada/explicit', versions: version(2) });
    expect(mergePaperRecords(found, explicit).githubRepo).toBe('https://github.com/ada/explicit');
    const newer = paper({ githubRepo: 'https://github.com/ada/newer', versions: version(3) });
    expect(mergePaperRecords(explicit, newer).githubRepo).toBe('https://github.com/ada/newer');
  });

  it('lets a newer version’s found link replace an older found link', () => {
    const old = paper({ githubRepo: 'https://github.com/ada/found', versions: version(1) });
    const moved = paper({
      abstract: 'Code is available at https://github.com/ada/moved.',
      githubRepo: 'https://github.com/ada/moved',
      versions: version(2),
    });
    expect(mergePaperRecords(old, moved).githubRepo).toBe('https://github.com/ada/moved');
  });

  it('applies the same rule to project pages', () => {
    const stored = paper({
      comments: 'Project page: https://ada.github.io/found',
      projectPage: 'https://ada.example.org/',
    });
    const incoming = paper({
      comments: 'Project page: https://ada.github.io/found',
      projectPage: 'https://ada.github.io/found',
      versions: version(2),
    });
    expect(mergePaperRecords(stored, incoming).projectPage).toBe('https://ada.example.org/');
  });
});
