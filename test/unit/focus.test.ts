/**
 * Keyboard access to marks without tab stops: the "next mark" / "previous mark" commands pick the
 * mark to move to, focus it with a tabindex="-1" that goes again on blur, and never add tabindex="0".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import { focusTransiently, pickMark } from '../../src/content/focus.ts';

const setup = () => {
  const { document, window } = parseHTML('<!doctype html><html><body><p id="a">one</p><p id="b" tabindex="0">two</p><p id="c">three</p><p id="d">four</p></body></html>');
  const doc = document as unknown as Document;
  const els = ['a', 'b', 'c', 'd'].map((id) => doc.getElementById(id)!);
  els.forEach((el, i) => {
    Object.assign(el, { getBoundingClientRect: () => ({ top: i * 100 - 150, bottom: i * 100 - 100, left: 0, right: 10 }) });
  });
  return { doc, els, Ev: (window as unknown as { Event: typeof Event }).Event };
};

test('pickMark: from the focused mark to the next or previous one, wrapping around; without one, from the viewport', () => {
  const { els } = setup();
  const [a, b, c, d] = els as unknown as [Element, Element, Element, Element];
  assert.equal(pickMark(els, b, 'next'), c);
  assert.equal(pickMark(els, b, 'prev'), a);
  assert.equal(pickMark(els, d, 'next'), a, 'wraps to the first');
  assert.equal(pickMark(els, a, 'prev'), d, 'wraps to the last');
  // Nothing focused: a (top -150) and b (top -50) are above the viewport; c is the first in or below it.
  assert.equal(pickMark(els, null, 'next'), c);
  assert.equal(pickMark(els, null, 'prev'), b, 'the last mark above the viewport');
  const inner = c.ownerDocument.createElement('span');
  c.append(inner);
  assert.equal(pickMark(els, inner, 'next'), d, 'focus inside a mark counts as on it');
  assert.equal(pickMark([], null, 'next'), null);
});

test('focusTransiently: tabindex="-1" only while focused; a tabindex the page set is left alone', () => {
  const { doc, els, Ev } = setup();
  const [a, b] = els as unknown as [HTMLElement, HTMLElement];
  let focused = 0;
  a.focus = () => void focused++;
  focusTransiently(a);
  assert.equal(a.getAttribute('tabindex'), '-1');
  assert.equal(focused, 1);
  a.dispatchEvent(new Ev('blur'));
  assert.equal(a.hasAttribute('tabindex'), false, 'gone with the blur');
  b.focus = () => undefined;
  focusTransiently(b);
  b.dispatchEvent(new Ev('blur'));
  assert.equal(b.getAttribute('tabindex'), '0', "the page's own tabindex stays");
  assert.equal(doc.querySelectorAll('[tabindex="0"]').length, 1);
});

test('focusTransiently: the next visit ends the previous one, also without a blur event', () => {
  const { els } = setup();
  const [a, , c] = els as unknown as [HTMLElement, HTMLElement, HTMLElement];
  a.focus = c.focus = () => undefined;
  focusTransiently(a);
  focusTransiently(c);
  assert.equal(a.hasAttribute('tabindex'), false);
  assert.equal(c.getAttribute('tabindex'), '-1');
});
