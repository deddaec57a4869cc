using MarketPulse.Messaging;

namespace MarketPulse.DevBroker;

/// <summary>
/// librdkafka's in-memory mock cluster hosted by this process: a Kafka-protocol broker on 127.0.0.1
/// that clients in this and other processes reach like a real one. Its data lives in memory and is lost
/// when the process ends. For development, tests and the one-machine mode; not for production.
/// </summary>
public sealed class MockKafkaCluster : IInProcessBroker
{
    private readonly Lock _gate = new();
    private nint _rk;
    private readonly nint _cluster;
    private readonly PortForwarder? _forwarder;

    /// <param name="brokers">brokers of the cluster, ids from 1</param>
    /// <param name="port">
    /// 0: clients connect to the random port librdkafka listens on. Otherwise (one broker only) a forwarder listens
    /// on this port of 127.0.0.1 and the broker advertises it, so a broker started again on it has the same address.
    /// </param>
    public MockKafkaCluster(int brokers = 1, int port = 0)
    {
        if (port != 0 && brokers != 1)
        {
            throw new ArgumentException("a fixed port needs a cluster of one broker", nameof(port));
        }

        _rk = LibrdkafkaNative.NewProducerWithMockCluster(brokers);
        _cluster = LibrdkafkaNative.MockCluster(_rk);
        BootstrapServers = LibrdkafkaNative.Bootstraps(_cluster);
        if (port != 0)
        {
            try
            {
                _forwarder = new PortForwarder(port, System.Net.IPEndPoint.Parse(BootstrapServers));
            }
            catch
            {
                LibrdkafkaNative.Destroy(_rk);
                throw;
            }

            LibrdkafkaNative.SetAdvertisedListener(_cluster, 1, "127.0.0.1", _forwarder.Port);
            BootstrapServers = $"127.0.0.1:{_forwarder.Port}";
        }

        // The mock waits about 3 s before the first group join completes; consumers should not.
        LibrdkafkaNative.SetInitialRebalanceDelay(_cluster, 0);
        // Without a controller in its metadata, DescribeCluster (which reads the cluster id) waits and times out.
        LibrdkafkaNative.SetControllerId(_cluster, 1);
    }

    /// <summary>The address clients connect to, e.g. <c>127.0.0.1:39217</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>
    /// Creates a topic with the given partition count. The mock has no CreateTopics handler
    /// (AdminClient calls time out) and auto-creates topics with 4 partitions, hence this call.
    /// Creating an existing topic is not an error.
    /// </summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_rk == 0, this);
            var code = LibrdkafkaNative.CreateTopic(_cluster, name, partitions, replicationFactor);
            const int topicAlreadyExists = 36;
            if (code != 0 && code != topicAlreadyExists)
            {
                throw new InvalidOperationException($"mock cluster could not create topic {name}: {LibrdkafkaNative.ErrorName(code)}");
            }
        }
    }

    /// <summary>Deletes a topic with its messages, as when a broker's data is lost; with <see cref="CreateTopic"/> a topic starts over at offset 0.</summary>
    public void DeleteTopic(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_rk == 0, this);
            var code = LibrdkafkaNative.DeleteTopic(_cluster, name);
            if (code != 0)
            {
                throw new InvalidOperationException($"mock cluster could not delete topic {name}: {LibrdkafkaNative.ErrorName(code)}");
            }
        }
    }

    /// <summary>
    /// Takes a broker down (ids start at 1): its connections are closed and new ones refused, as when a
    /// broker process dies. For outage tests.
    /// </summary>
    public void SetBrokerDown(int brokerId) => SetBroker(brokerId, up: false);

    /// <summary>Brings a broker taken down by <see cref="SetBrokerDown"/> back.</summary>
    public void SetBrokerUp(int brokerId) => SetBroker(brokerId, up: true);

    private void SetBroker(int brokerId, bool up)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_rk == 0, this);
            var code = up ? LibrdkafkaNative.SetBrokerUp(_cluster, brokerId) : LibrdkafkaNative.SetBrokerDown(_cluster, brokerId);
            if (code != 0)
            {
                throw new InvalidOperationException($"mock cluster could not set broker {brokerId} {(up ? "up" : "down")}: {LibrdkafkaNative.ErrorName(code)}");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _forwarder?.Dispose();
            if (_rk != 0)
            {
                LibrdkafkaNative.Destroy(_rk);
                _rk = 0;
            }
        }
    }
}
