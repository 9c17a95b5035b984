// A long dotted name ("skfisher.distributions.DistributionFamily") that does not fit
// its line should wrap after a dot, not inside a word: give the browser a line-break
// opportunity (<wbr>, which copied text does not contain) after every dot.
document.addEventListener("DOMContentLoaded", () => {
  const selectors = "section.api-object > h1, .bd-sidenav a, .prev-next-title";
  for (const element of document.querySelectorAll(selectors)) {
    for (const node of Array.from(element.childNodes)) {
      if (node.nodeType !== Node.TEXT_NODE || !node.data.includes(".")) continue;
      const parts = node.data.split(".");
      const pieces = parts.flatMap((part, i) =>
        i < parts.length - 1 ? [document.createTextNode(part + "."), document.createElement("wbr")]
                             : [document.createTextNode(part)]);
      node.replaceWith(...pieces);
    }
  }
});
