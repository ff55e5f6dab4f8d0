// Sortable, filterable tables in a few lines of plain JavaScript: the page must work offline.
(function () {
  "use strict";
  const EMPTY_OPTION = "__empty__";
  const collator = new Intl.Collator("zh-Hans-CN", { numeric: true });

  function sortKey(row, index) {
    const cell = row.cells[index];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
  }

  function compare(a, b, numeric) {
    if (a === "" || b === "") return (a === "") - (b === "");  // blanks last either way
    return numeric ? Number(a) - Number(b) : collator.compare(a, b);
  }

  function sortBy(table, heading, index) {
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const numeric = heading.dataset.type === "number";
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((x, y) => {
      const a = sortKey(x, index), b = sortKey(y, index);
      if (a === "" || b === "") return compare(a, b, numeric);
      return (ascending ? 1 : -1) * compare(a, b, numeric);
    });
    body.append(...rows);
  }

  function wireFilters(tools) {
    const table = document.getElementById(tools.dataset.table);
    const search = tools.querySelector("input");
    const selects = Array.from(tools.querySelectorAll("select"));
    const count = tools.querySelector(".row-count");
    const rows = Array.from(table.tBodies[0].rows);
    function apply() {
      const needle = search.value.trim().toLowerCase();
      let shown = 0;
      rows.forEach((row) => {
        const visible = selects.every((select) => {
          const wanted = select.value === EMPTY_OPTION ? "" : select.value;
          return select.value === "" || row.cells[Number(select.dataset.column)].textContent === wanted;
        }) && (!needle || row.textContent.toLowerCase().includes(needle));
        row.hidden = !visible;
        shown += visible ? 1 : 0;
      });
      count.textContent = shown + " of " + rows.length + " rows";
    }
    search.addEventListener("input", apply);
    selects.forEach((select) => select.addEventListener("change", apply));
    apply();
  }

  document.querySelectorAll("table[data-sortable]").forEach((table) => {
    table.querySelectorAll("th").forEach((heading, index) => {
      heading.addEventListener("click", () => sortBy(table, heading, index));
    });
  });
  document.querySelectorAll(".table-tools").forEach(wireFilters);
})();
