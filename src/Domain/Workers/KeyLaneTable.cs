using System.Threading.Channels;

namespace Chat.Domain.Workers;

/// <summary>
/// The per-key in-flight map behind FirstAvailableSerialized. A key has a lane from the moment one of its
/// requests is admitted until the worker running it finds nothing more behind it. The decision is made at
/// submit time, under the key's lock: a key without a lane gets one and its request goes to the shared queue;
/// a key with a lane has its request parked in the lane. So the shared queue never holds two requests of one
/// key, whichever idle worker takes a request owns its key, and when that worker finishes it takes the
/// parked requests of its keys as its next batch, in order. One key therefore never runs on two workers at
/// once and keeps its order, while different keys go to whichever worker is idle. Deciding when a worker
/// reads instead would not work: two workers can read one key's requests in order and still claim them out
/// of order. Locks are striped so unrelated submitters rarely contend.
/// </summary>
internal sealed class KeyLaneTable<TRequest, TResult>
{
    private const int StripeCount = 64;
    private const int MaxSpareLanesPerStripe = 64;

    private readonly Stripe[] _stripes = CreateStripes();
    private int _parked;

    public int ParkedCount => Volatile.Read(ref _parked);

    /// <summary>Parks <paramref name="request"/> behind its busy key, or opens a lane and writes it to <paramref name="queue"/>; false if the queue refused it.</summary>
    public bool TryAdmit(PendingRequest<TRequest, TResult> request, ChannelWriter<PendingRequest<TRequest, TResult>> queue)
    {
        var stripe = StripeOf(request.Key);
        lock (stripe.Lock)
        {
            if (stripe.Lanes.TryGetValue(request.Key, out var parked))
            {
                parked.Enqueue(request);
                Interlocked.Increment(ref _parked);
                return true;
            }

            if (!queue.TryWrite(request))
            {
                return false;
            }

            stripe.Lanes.Add(request.Key, stripe.SpareLanes.Count > 0 ? stripe.SpareLanes.Pop() : new Queue<PendingRequest<TRequest, TResult>>());
            return true;
        }
    }

    /// <summary>
    /// Called by a worker between batches with the keys it owns: moves their parked requests into
    /// <paramref name="next"/> (up to <paramref name="maxBatch"/>), keeping those keys, and closes the lanes
    /// of keys with nothing left.
    /// </summary>
    public void Handover(List<string> owned, List<PendingRequest<TRequest, TResult>> next, int maxBatch)
    {
        var kept = 0;
        for (var i = 0; i < owned.Count; i++)
        {
            var key = owned[i];
            var stripe = StripeOf(key);
            lock (stripe.Lock)
            {
                var parked = stripe.Lanes[key];
                var moved = 0;
                while (parked.Count > 0 && next.Count < maxBatch)
                {
                    next.Add(parked.Dequeue());
                    moved++;
                }

                Interlocked.Add(ref _parked, -moved);
                if (moved > 0 || parked.Count > 0)
                {
                    owned[kept++] = key;
                    continue;
                }

                stripe.Lanes.Remove(key);
                if (stripe.SpareLanes.Count < MaxSpareLanesPerStripe)
                {
                    stripe.SpareLanes.Push(parked);
                }
            }
        }

        owned.RemoveRange(kept, owned.Count - kept);
    }

    /// <summary>Removes every parked request; used at shutdown once no worker runs.</summary>
    public void DrainAll(List<PendingRequest<TRequest, TResult>> into)
    {
        foreach (var stripe in _stripes)
        {
            lock (stripe.Lock)
            {
                foreach (var parked in stripe.Lanes.Values)
                {
                    into.AddRange(parked);
                }

                stripe.Lanes.Clear();
            }
        }

        Volatile.Write(ref _parked, 0);
    }

    private Stripe StripeOf(string key) => _stripes[(key.GetHashCode() & int.MaxValue) % StripeCount];

    private static Stripe[] CreateStripes()
    {
        var stripes = new Stripe[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }

        return stripes;
    }

    private sealed class Stripe
    {
        public Lock Lock { get; } = new();

        public Dictionary<string, Queue<PendingRequest<TRequest, TResult>>> Lanes { get; } = new(StringComparer.Ordinal);

        public Stack<Queue<PendingRequest<TRequest, TResult>>> SpareLanes { get; } = new();
    }
}
