/**
 * The students selected in the class workspace: toggled one by one, extended as a range from the last one toggled
 * (Shift), all those shown, or none. Kept by name, so that sorting and filtering do not change what is selected.
 */
export class RowSelection {
  has(student: string): boolean {
    return this.selected.has(student);
  }

  get size(): number {
    return this.selected.size;
  }

  /** The selected students, in the order given (the grid's). */
  inOrder(order: readonly string[]): string[] {
    return order.filter((student) => this.selected.has(student));
  }

  toggle(student: string): void {
    if (!this.selected.delete(student)) this.selected.add(student);
    this.anchor = student;
  }

  /** Selects every student from the last one toggled to `student`, both included, as they stand in `order`. */
  extendTo(student: string, order: readonly string[]): void {
    const from = this.anchor === null ? -1 : order.indexOf(this.anchor);
    const to = order.indexOf(student);
    if (to < 0) return;
    if (from < 0) {
      this.toggle(student);
      return;
    }
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) this.selected.add(order[i]!);
  }

  selectAll(students: readonly string[]): void {
    for (const student of students) this.selected.add(student);
  }

  clear(): void {
    this.selected.clear();
    this.anchor = null;
  }

  /** Forgets students no longer in the class. */
  retain(students: ReadonlySet<string>): void {
    for (const student of [...this.selected]) if (!students.has(student)) this.selected.delete(student);
    if (this.anchor !== null && !students.has(this.anchor)) this.anchor = null;
  }

  private readonly selected = new Set<string>();
  private anchor: string | null = null;
}
