import { expect } from '@open-wc/testing';
import { define } from '../../packages/ui/src/define.js';
import { TaliqComments } from '../../packages/widget/src/index.js';

describe('define', () => {
  it('registers <taliq-comments>', () => {
    expect(customElements.get('taliq-comments')).to.equal(TaliqComments);
  });

  it('warns instead of throwing when the tag is already taken', async () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      expect(() => define('taliq-comments', class extends HTMLElement {})).to.not.throw();
      // A second copy of the whole bundle on the same page.
      await import(`../../packages/widget/src/index.ts?copy=${Date.now()}`);
    } finally {
      console.warn = warn;
    }
    expect(customElements.get('taliq-comments')).to.equal(TaliqComments);
    expect(warnings.some((w) => String(w[0]).includes('<taliq-comments> is already defined'))).to.equal(true);
  });

  it('is silent when the same definition comes again', () => {
    expect(() => define('taliq-comments', TaliqComments)).to.not.throw();
  });
});
