// Sortable tables: every `table.sortable` whose header cells say data-sort-type="text" or "number".
//
// Each such header gets a button (keyboard and screen readers reach it); a click sorts the rows by that column,
// ascending first, then descending, and sets aria-sort on the header. A cell's data-sort attribute, when
// present, is what it sorts by (an amount's lower bound rather than its words). Empty cells sort last.
(function () {
  "use strict";

  const collator = new Intl.Collator("fr", { sensitivity: "base", numeric: true });

  function key(cell) {
    if (!cell) return "";
    return (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent).trim();
  }

  /** Two non-empty keys (sort() puts empty cells last before it asks). */
  function compare(a, b, type) {
    if (type === "number") return parseFloat(a) - parseFloat(b);
    return collator.compare(a, b);
  }

  function sort(table, column, header) {
    const type = header.dataset.sortType;
    const direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", direction);
    const body = table.tBodies[0];
    const rows = [...body.rows].map((row, index) => ({ row, index, value: key(row.cells[column]) }));
    rows.sort((a, b) => {
      const emptyLast = (a.value === "") - (b.value === "");
      if (emptyLast) return emptyLast; // empty cells stay at the end in both directions
      const order = compare(a.value, b.value, type) * (direction === "ascending" ? 1 : -1);
      return order || a.index - b.index;
    });
    body.append(...rows.map((r) => r.row));
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    [...table.tHead.rows[0].cells].forEach((header, column) => {
      if (!header.dataset.sortType) return;
      const button = document.createElement("button");
      button.type = "button";
      button.append(...header.childNodes);
      button.title = "Trier par cette colonne";
      header.append(button);
      button.addEventListener("click", () => sort(table, column, header));
    });
  }
})();
