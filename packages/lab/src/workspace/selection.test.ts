import { RowSelection } from './selection';

const ORDER = ['ann', 'bob', 'cid', 'dee', 'eve'];

describe('RowSelection', () => {
  it('toggles students one by one', () => {
    const selection = new RowSelection();
    selection.toggle('bob');
    selection.toggle('dee');
    expect(selection.inOrder(ORDER)).toEqual(['bob', 'dee']);
    selection.toggle('bob');
    expect(selection.inOrder(ORDER)).toEqual(['dee']);
    expect(selection.size).toBe(1);
  });

  it('extends from the last one toggled, either way, in the order shown', () => {
    const selection = new RowSelection();
    selection.toggle('dee');
    selection.extendTo('bob', ORDER);
    expect(selection.inOrder(ORDER)).toEqual(['bob', 'cid', 'dee']);
    selection.extendTo('eve', ORDER);
    expect(selection.inOrder(ORDER)).toEqual(['bob', 'cid', 'dee', 'eve']);
    // Sorted the other way round, the range follows what is shown.
    const reversed = [...ORDER].reverse();
    selection.clear();
    selection.toggle('ann');
    selection.extendTo('cid', reversed);
    expect(selection.inOrder(ORDER)).toEqual(['ann', 'bob', 'cid']);
  });

  it('starts a range with one student when nothing was toggled', () => {
    const selection = new RowSelection();
    selection.extendTo('cid', ORDER);
    expect(selection.inOrder(ORDER)).toEqual(['cid']);
    selection.extendTo('nobody', ORDER);
    expect(selection.inOrder(ORDER)).toEqual(['cid']);
  });

  it('selects all shown, clears, and forgets students who left the class', () => {
    const selection = new RowSelection();
    selection.selectAll(['ann', 'cid']);
    expect(selection.has('cid')).toBe(true);
    selection.retain(new Set(['ann', 'bob']));
    expect(selection.inOrder(ORDER)).toEqual(['ann']);
    selection.clear();
    expect(selection.size).toBe(0);
  });
});
