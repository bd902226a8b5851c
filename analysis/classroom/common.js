// What both pages share: a WebSocket to the class that reconnects by itself.
"use strict";

/** Opens the class's WebSocket; `hello()` gives the first message, `onMessage` gets each parsed one. */
function connectToClass(hello, onMessage, onState) {
  let delay = 500;
  let socket = null;
  function open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + "/ws");
    socket.onopen = () => { delay = 500; onState(true); socket.send(hello()); };
    socket.onmessage = (event) => onMessage(JSON.parse(event.data));
    socket.onclose = () => {
      onState(false);
      // A dropped Wi-Fi or a restarted laptop: try again, less and less often.
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  open();
  return { send: (text) => { if (socket && socket.readyState === WebSocket.OPEN) socket.send(text); },
           raw: () => socket };
}

function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return (value / 1e6).toFixed(2) + " M";
  if (magnitude >= 1e3) return (value / 1e3).toFixed(1) + " k";
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function setText(id, text) { document.getElementById(id).textContent = text; }
