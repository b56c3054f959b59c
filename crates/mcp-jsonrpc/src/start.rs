//! Starting the engine: the state, the dispatcher and the notification
//! task over a transport.

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_util::task::AbortOnDropHandle;

use crate::handler::Handler;
use crate::inbound::{self, Dispatcher};
use crate::options::PeerConfig;
use crate::peer::{Inner, Peer, Shared};
use crate::pending::Pending;
use crate::transport::Transport;

impl Peer {
    /// Starts the engine over `transport`. Must be called inside a Tokio
    /// runtime. The transport's hints and memory are the session's business:
    /// take them before, if needed.
    pub fn start(transport: Transport, handler: Arc<dyn Handler>, config: PeerConfig) -> Peer {
        let Transport {
            inbound,
            outbound,
            guard,
            ..
        } = transport;
        let queue = config.notification_queue.max(1);
        let (broadcast, _) = broadcast::channel(queue);
        let shared = Arc::new(Shared {
            outbound,
            pending: Pending::default(),
            hooks: config.hooks,
            broadcast,
            default_timeout: config.default_timeout,
            next_id: AtomicI64::new(1),
            closed: watch::Sender::new(None),
        });
        let (notify_tx, notify_rx) = mpsc::channel(queue);
        let (start_tx, start_rx) = oneshot::channel();
        let (notifier_start_tx, notifier_start_rx) = oneshot::channel();
        let dispatcher = Dispatcher::new(
            inbound,
            shared.clone(),
            handler.clone(),
            notify_tx,
            config.max_concurrent_inbound.max(1),
        );
        let dispatcher = tokio::spawn(dispatcher.run(start_rx));
        let notifier = tokio::spawn(inbound::notification_loop(notify_rx, handler, notifier_start_rx));
        let inner = Arc::new(Inner {
            shared,
            guard: Mutex::new(Some(guard)),
            _dispatcher: AbortOnDropHandle::new(dispatcher),
            _notifier: AbortOnDropHandle::new(notifier),
        });
        // The tasks wait for their weak handle, so they never see a peer
        // under construction.
        let _ = start_tx.send(Arc::downgrade(&inner));
        let _ = notifier_start_tx.send(Arc::downgrade(&inner));
        Peer::from_inner(inner)
    }
}
