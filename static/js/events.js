// The live event stream (/api/v1/events): one WebSocket for the whole app that reconnects by itself.
//
// Views subscribe with `events.on(type, handler)` and get the parsed JSON frame. On every (re)connect the
// server sends the current import status first, so a view that missed frames while we were away catches up.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

class EventStream {
  constructor() {
    this.handlers_ = new Map();
    this.socket_ = null;
    this.attempt_ = 0;
    this.retry_timer_ = 0;
    this.connected_ = false;
    this.was_connected_ = false;
  }

  get connected() {
    return this.connected_;
  }

  /** Subscribes to one event type ('*' for all, 'open'/'close' for the connection); returns an unsubscribe. */
  on(type, handler) {
    if (!this.handlers_.has(type)) this.handlers_.set(type, new Set());
    this.handlers_.get(type).add(handler);
    return () => this.handlers_.get(type)?.delete(handler);
  }

  start() {
    if (this.socket_) return;
    this.connect_();
    // A tab coming back from sleep should not wait out a long backoff.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.socket_) this.retry_now_();
    });
    window.addEventListener('online', () => this.retry_now_());
  }

  emit_(type, payload) {
    for (const key of [type, '*']) {
      for (const handler of this.handlers_.get(key) ?? []) {
        try {
          handler(payload);
        } catch (err) {
          // One broken view must not silence the others.
          console.warn('event handler failed', err);
        }
      }
    }
  }

  connect_() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/api/v1/events`);
    } catch {
      this.schedule_retry_();
      return;
    }
    this.socket_ = socket;
    socket.addEventListener('open', () => {
      this.attempt_ = 0;
      this.connected_ = true;
      this.emit_('open', { reconnected: this.was_connected_ });
      this.was_connected_ = true;
    });
    socket.addEventListener('message', (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === 'string') this.emit_(frame.type, frame);
    });
    socket.addEventListener('close', () => {
      const had_connection = this.connected_;
      this.socket_ = null;
      this.connected_ = false;
      if (had_connection) this.emit_('close', {});
      this.schedule_retry_();
    });
    // 'error' is always followed by 'close', where the retry happens.
    socket.addEventListener('error', () => {});
  }

  schedule_retry_() {
    clearTimeout(this.retry_timer_);
    // Exponential backoff with jitter so many tabs do not reconnect in lockstep after a restart.
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt_);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt_ += 1;
    this.retry_timer_ = setTimeout(() => this.connect_(), delay);
  }

  retry_now_() {
    if (this.socket_) return;
    clearTimeout(this.retry_timer_);
    this.attempt_ = 0;
    this.connect_();
  }
}

export const events = new EventStream();
