// The console's only script: keys for the labeling queue. Every action also works without it, by click or Tab.
(() => {
    const items = () => Array.from(document.querySelectorAll(".queue-item"));
    document.addEventListener("keydown", event => {
        const item = event.target instanceof Element ? event.target.closest(".queue-item") : null;
        if (!item || event.altKey || event.ctrlKey || event.metaKey || event.target.matches("input, select, textarea")) return;
        const all = items();
        const index = all.indexOf(item);
        if (event.key === "j" || event.key === "k") {
            const next = all[index + (event.key === "j" ? 1 : -1)];
            if (next) { next.focus(); event.preventDefault(); }
            return;
        }
        const button = item.querySelector(`button[data-key="${event.key}"]`);
        if (button) { button.click(); event.preventDefault(); }
    });
    // After a label was sent, the next item in the queue has the focus, so labeling goes on key after key.
    const first = items()[0];
    if (first && document.querySelector(".notice")) first.focus();
})();
