/* Listen to the article with the browser's speech synthesis (Web Speech API,
   https://webspeech.spec.whatwg.org/#tts-section): play/pause, previous/next paragraph, speed, a voice of the
   article's language (any voice when it has none). The paragraph being read is marked and kept in view, and
   each paragraph reached is saved as the reading position through the reader's progress endpoint
   (static/js/reader.js, "folio:progress"). Where it stopped is kept in localStorage (and the saved reading
   position on other devices), so Listen continues there after a reload. The Media Session API
   (https://w3c.github.io/mediasession/) gives the lock screen and headphones play/pause/previous/next.
   The Listen button sits in the reader's toolbar; once started, the controls dock at the bottom of the screen.
   Keys: p play/pause, [ and ] previous/next paragraph, - and + slower/faster (templates/articles/_shortcuts.html).
   The control stays hidden when the browser has no speech synthesis. Uses the system's voices: no network. */
(function () {
  "use strict";
  var box = document.getElementById("listen");
  var reader = document.getElementById("reader");
  var body = document.getElementById("reader-body");
  if (!box || !reader || !body) return;
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") return;
  var synth = window.speechSynthesis;
  // The same blocks as reader.js counts for the reading position (the progress paragraph is an index there).
  var BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, blockquote, pre, figure, table";
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  var CHUNK = 220; // characters per utterance: long utterances stop early in some engines
  var playButton = document.getElementById("listen-play");
  var toggleButton = document.getElementById("listen-toggle");
  if (!playButton || !toggleButton) return;
  var rateSelect = document.getElementById("listen-rate");
  var voiceSelect = document.getElementById("listen-voice");
  var statusLine = document.getElementById("listen-status");
  var lang = (reader.getAttribute("lang") || document.documentElement.getAttribute("lang") || "").toLowerCase();
  var id = reader.getAttribute("data-id");
  var storeKey = "folio-listen-" + id;

  var blocks = [], items = [];  // items: indexes into blocks of the blocks read aloud
  var position = 0;             // index into items
  var state = "stopped";        // "stopped" | "playing" | "paused"
  var utterance = null;         // the utterance being spoken; events of older ones are ignored
  var chunks = [], chunkIndex = 0;

  function collect() {
    blocks = Array.prototype.slice.call(body.querySelectorAll(BLOCKS));
    items = [];
    blocks.forEach(function (block, i) {
      // A block holding other blocks (a list item with paragraphs) is read through them.
      if (block.querySelector(BLOCKS)) return;
      if (block.textContent.replace(/\s+/g, " ").trim()) items.push(i);
    });
  }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  function store(values) {
    try {
      var saved = load() || {};
      Object.keys(values).forEach(function (k) { saved[k] = values[k]; });
      window.localStorage.setItem(storeKey, JSON.stringify(saved));
    } catch (e) { /* private mode: only this visit remembers */ }
  }
  function prefs(values) {
    try {
      var saved = JSON.parse(window.localStorage.getItem("folio-listen") || "{}");
      if (!values) return saved;
      Object.keys(values).forEach(function (k) { saved[k] = values[k]; });
      window.localStorage.setItem("folio-listen", JSON.stringify(saved));
      return saved;
    } catch (e) { return {}; }
  }

  function itemFor(paragraph) {
    for (var i = 0; i < items.length; i++) if (items[i] >= paragraph) return i;
    return 0;
  }
  function startPosition() {
    var saved = load();
    if (saved && typeof saved.paragraph === "number" && saved.paragraph > 0) return itemFor(saved.paragraph);
    return itemFor(parseInt(reader.getAttribute("data-progress-paragraph"), 10) || 0);
  }

  function label() {
    var key = state === "playing" ? "data-label-pause" : state === "paused" ? "data-label-resume" : "data-label-play";
    [playButton, toggleButton].forEach(function (button) {
      button.textContent = box.getAttribute(key);
      button.setAttribute("aria-pressed", state === "playing" ? "true" : "false");
    });
    box.setAttribute("data-state", state);
    // The controls dock at the bottom of the screen while listening (playing or paused).
    box.hidden = state === "stopped";
    document.body.classList.toggle("listen-docked", !box.hidden);
    if ("mediaSession" in navigator) {
      navigator.mediaSession.playbackState = state === "playing" ? "playing" : state === "paused" ? "paused" : "none";
    }
    document.dispatchEvent(new CustomEvent("folio:listening", { detail: { on: state === "playing" } }));
  }

  function markCurrent() {
    Array.prototype.forEach.call(body.querySelectorAll(".listen-current"), function (el) { el.classList.remove("listen-current"); });
    var block = blocks[items[position]];
    if (!block) return null;
    block.classList.add("listen-current");
    return block;
  }

  function percentAt(block) {
    var top = body.getBoundingClientRect().top;
    var height = body.offsetHeight || 1;
    return Math.max(0, Math.min(100, ((block.getBoundingClientRect().top - top) / height) * 100));
  }

  function split(text) {
    var sentences;
    if (window.Intl && Intl.Segmenter) {
      sentences = Array.from(new Intl.Segmenter(lang || undefined, { granularity: "sentence" }).segment(text), function (s) { return s.segment; });
    } else {
      sentences = text.match(/[^.!?。！？]+[.!?。！？]*\s*/g) || [text];
    }
    var out = [], piece = "";
    sentences.forEach(function (s) {
      if (piece && (piece + s).length > CHUNK) { out.push(piece); piece = ""; }
      while (s.length > CHUNK) {
        var cut = s.lastIndexOf(" ", CHUNK);
        if (cut <= 0) cut = CHUNK;
        out.push(s.slice(0, cut)); s = s.slice(cut);
      }
      piece += s;
    });
    if (piece.trim()) out.push(piece);
    return out.map(function (c) { return c.trim(); }).filter(Boolean);
  }

  function chosenVoice() {
    var uri = voiceSelect.value;
    if (!uri) return null;
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) if (voices[i].voiceURI === uri) return voices[i];
    return null;
  }

  function speakChunk() {
    var u = new SpeechSynthesisUtterance(chunks[chunkIndex]);
    var voice = chosenVoice();
    if (voice) { u.voice = voice; u.lang = voice.lang; } else if (lang) { u.lang = lang; }
    u.rate = parseFloat(rateSelect.value) || 1;
    u.onend = function () {
      if (u !== utterance) return;
      if (chunkIndex + 1 < chunks.length) { chunkIndex += 1; speakChunk(); return; }
      next(true);
    };
    u.onerror = function (event) {
      if (u !== utterance) return;
      if (event && (event.error === "interrupted" || event.error === "canceled")) return;
      stop();
    };
    utterance = u;
    synth.speak(u);
  }

  function speakCurrent() {
    collectIfStale();
    var block = markCurrent();
    if (!block) { finish(); return; }
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    block.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
    chunks = split(block.textContent.replace(/\s+/g, " ").trim());
    chunkIndex = 0;
    store({ paragraph: items[position] });
    document.dispatchEvent(new CustomEvent("folio:progress", { detail: { percent: percentAt(block), paragraph: items[position] } }));
    if (statusLine) statusLine.textContent = (position + 1) + " / " + items.length;
    silence();
    state = "playing";
    label();
    speakChunk();
  }

  function silence() {
    utterance = null;
    if (synth.speaking || synth.pending || synth.paused) synth.cancel();
  }

  function play() {
    if (state === "paused") {
      state = "playing";
      label();
      synth.resume();
      // Engines that cannot pause (Chrome on Android) dropped the utterance: say the paragraph again.
      setTimeout(function () { if (state === "playing" && !synth.speaking && !synth.pending) speakCurrent(); }, 250);
      return;
    }
    if (state === "stopped") position = startPosition();
    speakCurrent();
  }
  function pause() {
    if (state !== "playing") return;
    state = "paused";
    synth.pause();
    label();
  }
  function toggle() { if (state === "playing") pause(); else play(); }
  function stop() {
    silence();
    state = "stopped";
    label();
  }
  function finish() {
    silence();
    state = "stopped";
    Array.prototype.forEach.call(body.querySelectorAll(".listen-current"), function (el) { el.classList.remove("listen-current"); });
    store({ paragraph: 0 });
    document.dispatchEvent(new CustomEvent("folio:progress", { detail: { percent: 100, paragraph: blocks.length ? blocks.length - 1 : 0 } }));
    label();
  }
  function next(fromEnd) {
    if (state === "stopped" && !fromEnd) position = startPosition();
    if (position + 1 >= items.length) { if (fromEnd) finish(); return; }
    position += 1;
    if (state === "playing" || fromEnd) speakCurrent(); else { markCurrent(); store({ paragraph: items[position] }); }
  }
  function previous() {
    if (state === "stopped") position = startPosition();
    position = Math.max(0, position - 1);
    if (state === "playing") speakCurrent(); else { markCurrent(); store({ paragraph: items[position] }); }
  }
  var stale = false;
  function collectIfStale() {
    if (!stale) return;
    stale = false;
    var paragraph = items[position];
    collect();
    position = Math.max(0, items.indexOf(paragraph));
  }
  // Highlighting marks the body again: the blocks are new elements.
  document.addEventListener("folio:body-changed", function () {
    stale = true;
    collectIfStale();
    if (state !== "stopped") markCurrent();
  });

  function fillVoices() {
    var voices = synth.getVoices() || [];
    var base = lang.split("-")[0];
    var matching = voices.filter(function (v) { return base && (v.lang || "").toLowerCase().split(/[-_]/)[0] === base; });
    var shown = matching.length ? matching : voices;
    var wanted = prefs()["voice-" + base] || voiceSelect.value;
    voiceSelect.textContent = "";
    var first = document.createElement("option");
    first.value = "";
    first.textContent = box.getAttribute("data-label-any-voice");
    voiceSelect.appendChild(first);
    shown.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v.voiceURI;
      option.textContent = v.name + (v.lang ? " (" + v.lang + ")" : "");
      if (v.voiceURI === wanted) option.selected = true;
      voiceSelect.appendChild(option);
    });
    if (!voiceSelect.value && matching.length) {
      var preferred = matching.filter(function (v) { return v.default; })[0] || matching.filter(function (v) { return v.localService; })[0] || matching[0];
      voiceSelect.value = preferred.voiceURI;
    }
    voiceSelect.parentNode.hidden = shown.length === 0;
  }

  function changeRate(step) {
    var index = RATES.indexOf(parseFloat(rateSelect.value));
    index = Math.max(0, Math.min(RATES.length - 1, (index < 0 ? 1 : index) + step));
    rateSelect.value = String(RATES[index]);
    rateChanged();
  }
  function rateChanged() {
    prefs({ rate: rateSelect.value });
    if (state === "playing") speakCurrent(); // the new speed applies from the start of this paragraph
  }

  collect();
  var savedRate = prefs().rate;
  if (savedRate && RATES.indexOf(parseFloat(savedRate)) >= 0) rateSelect.value = String(parseFloat(savedRate));
  fillVoices();
  if (typeof synth.addEventListener === "function") synth.addEventListener("voiceschanged", fillVoices);
  else synth.onvoiceschanged = fillVoices;
  playButton.hidden = false;
  label();

  playButton.addEventListener("click", toggle);
  toggleButton.addEventListener("click", toggle);
  document.getElementById("listen-stop").addEventListener("click", function () {
    stop();
    Array.prototype.forEach.call(body.querySelectorAll(".listen-current"), function (el) { el.classList.remove("listen-current"); });
    playButton.focus();
  });
  document.getElementById("listen-next").addEventListener("click", function () { next(false); });
  document.getElementById("listen-prev").addEventListener("click", previous);
  rateSelect.addEventListener("change", rateChanged);
  voiceSelect.addEventListener("change", function () {
    var values = {};
    values["voice-" + lang.split("-")[0]] = voiceSelect.value;
    prefs(values);
    if (state === "playing") speakCurrent();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var handled = true;
    if (event.key === "p") toggle();
    else if (event.key === "]") next(false);
    else if (event.key === "[") previous();
    else if (event.key === "-") changeRate(-1);
    else if (event.key === "+" || event.key === "=") changeRate(1);
    else handled = false;
    if (handled) event.preventDefault();
  });

  if ("mediaSession" in navigator) {
    try {
      if (typeof window.MediaMetadata === "function") {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: box.getAttribute("data-title") || document.title,
          artist: box.getAttribute("data-artist") || "",
          album: "Folio",
        });
      }
      navigator.mediaSession.setActionHandler("play", play);
      navigator.mediaSession.setActionHandler("pause", pause);
      navigator.mediaSession.setActionHandler("previoustrack", previous);
      navigator.mediaSession.setActionHandler("nexttrack", function () { next(false); });
    } catch (e) { /* an action this browser does not know */ }
  }
  window.addEventListener("pagehide", function () { if (state !== "stopped") synth.cancel(); });
})();
