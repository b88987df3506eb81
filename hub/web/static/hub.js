// Behaviours of the hub's pages, from a file: the Content-Security-Policy allows no inline script.
document.addEventListener("click", (event) => {
  const all = event.target.closest("#select-all");
  if (all) {
    // offers review: tick or untick every draft
    for (const box of document.querySelectorAll("#offers input[name=ids]")) box.checked = all.checked;
    return;
  }
  const region = event.target.closest("button.region");
  if (region) {
    // shipping calculator: a region found by name becomes the destination
    document.getElementById("destination").value = region.dataset.kode;
    document.getElementById("destination-name").value = region.dataset.name;
    document.getElementById("chosen").textContent = region.dataset.name;
    document.getElementById("region-hits").innerHTML = "";
  }
});
