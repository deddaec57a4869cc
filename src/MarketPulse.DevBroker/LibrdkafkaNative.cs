using System.Runtime.InteropServices;
using System.Text;

namespace MarketPulse.DevBroker;

/// <summary>
/// The few librdkafka functions Confluent.Kafka does not expose: those of the mock cluster.
/// They are bound to the very library Confluent.Kafka loaded (on Debian 12 that is
/// centos8-librdkafka.so, because the default build needs libsasl2.so.3), found in /proc/self/maps.
/// </summary>
internal static unsafe class LibrdkafkaNative
{
    private static readonly Lazy<nint> Library = new(LoadSameLibraryAsConfluent);

    private static nint Export(string name) => NativeLibrary.GetExport(Library.Value, name);

    public static nint NewProducerWithMockCluster(int brokers)
    {
        var confNew = (delegate* unmanaged<nint>)Export("rd_kafka_conf_new");
        var confSet = (delegate* unmanaged<nint, byte*, byte*, byte*, nuint, int>)Export("rd_kafka_conf_set");
        var kafkaNew = (delegate* unmanaged<int, nint, byte*, nuint, nint>)Export("rd_kafka_new");

        var conf = confNew();
        var err = stackalloc byte[512];
        Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set("client.id", "marketpulse-mock-cluster");
        Set("log_level", "3");

        var rk = kafkaNew(0, conf, err, 512); // 0 = RD_KAFKA_PRODUCER; rd_kafka_new owns conf on success
        if (rk == 0)
        {
            throw new InvalidOperationException("librdkafka could not create the mock cluster: " + Marshal.PtrToStringUTF8((nint)err));
        }

        return rk;

        void Set(string name, string value)
        {
            fixed (byte* n = Encode(name), v = Encode(value))
            {
                if (confSet(conf, n, v, err, 512) != 0)
                {
                    throw new InvalidOperationException($"librdkafka rejected {name}: " + Marshal.PtrToStringUTF8((nint)err));
                }
            }
        }
    }

    public static nint MockCluster(nint rk)
    {
        var fn = (delegate* unmanaged<nint, nint>)Export("rd_kafka_handle_mock_cluster");
        var cluster = fn(rk);
        return cluster != 0 ? cluster : throw new InvalidOperationException("librdkafka handle has no mock cluster.");
    }

    public static string Bootstraps(nint cluster)
    {
        var fn = (delegate* unmanaged<nint, nint>)Export("rd_kafka_mock_cluster_bootstraps");
        return Marshal.PtrToStringUTF8(fn(cluster)) ?? throw new InvalidOperationException("mock cluster has no bootstrap address");
    }

    public static int CreateTopic(nint cluster, string topic, int partitions, int replicationFactor)
    {
        var fn = (delegate* unmanaged<nint, byte*, int, int, int>)Export("rd_kafka_mock_topic_create");
        fixed (byte* t = Encode(topic))
        {
            return fn(cluster, t, partitions, replicationFactor);
        }
    }

    /// <summary>rd_kafka_mock_topic_delete: the topic and its messages are gone; later requests get UNKNOWN_TOPIC_OR_PART.</summary>
    public static int DeleteTopic(nint cluster, string topic)
    {
        var fn = (delegate* unmanaged<nint, byte*, int>)Export("rd_kafka_mock_topic_delete");
        fixed (byte* t = Encode(topic))
        {
            return fn(cluster, t);
        }
    }

    /// <summary>
    /// rd_kafka_mock_broker_set_host_port: the host and port the broker advertises in metadata. It does not move the
    /// listener, which stays on the random port librdkafka bound.
    /// </summary>
    public static void SetAdvertisedListener(nint cluster, int brokerId, string host, int port)
    {
        var fn = (delegate* unmanaged<nint, int, byte*, int, void>)Export("rd_kafka_mock_broker_set_host_port");
        fixed (byte* h = Encode(host))
        {
            fn(cluster, brokerId, h, port);
        }
    }

    /// <summary>rd_kafka_mock_set_controller_id: the controller named in metadata responses (the mock names none by default).</summary>
    public static void SetControllerId(nint cluster, int brokerId)
    {
        var fn = (delegate* unmanaged<nint, int, void>)Export("rd_kafka_mock_set_controller_id");
        fn(cluster, brokerId);
    }

    public static void SetInitialRebalanceDelay(nint cluster, int milliseconds)
    {
        var fn = (delegate* unmanaged<nint, int, void>)Export("rd_kafka_mock_group_initial_rebalance_delay_ms");
        fn(cluster, milliseconds);
    }

    /// <summary>rd_kafka_mock_broker_set_down: closes the broker's connections and refuses new ones.</summary>
    public static int SetBrokerDown(nint cluster, int brokerId)
    {
        var fn = (delegate* unmanaged<nint, int, int>)Export("rd_kafka_mock_broker_set_down");
        return fn(cluster, brokerId);
    }

    /// <summary>rd_kafka_mock_broker_set_up: accepts connections again.</summary>
    public static int SetBrokerUp(nint cluster, int brokerId)
    {
        var fn = (delegate* unmanaged<nint, int, int>)Export("rd_kafka_mock_broker_set_up");
        return fn(cluster, brokerId);
    }

    public static string ErrorName(int code)
    {
        var fn = (delegate* unmanaged<int, nint>)Export("rd_kafka_err2name");
        return Marshal.PtrToStringUTF8(fn(code)) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void Destroy(nint rk)
    {
        var fn = (delegate* unmanaged<nint, void>)Export("rd_kafka_destroy");
        fn(rk);
    }

    private static byte[] Encode(string s) => Encoding.UTF8.GetBytes(s + '\0');

    private static nint LoadSameLibraryAsConfluent()
    {
        // Makes Confluent.Kafka load its librdkafka (it picks the build whose dependencies resolve).
        _ = Confluent.Kafka.Library.Version;
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            foreach (var line in File.ReadLines(maps))
            {
                var slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0 && line.Contains("librdkafka", StringComparison.Ordinal))
                {
                    return NativeLibrary.Load(line[slash..].Trim());
                }
            }
        }

        throw new PlatformNotSupportedException(
            "Could not find the librdkafka that Confluent.Kafka loaded; the in-process mock cluster needs Linux (/proc/self/maps).");
    }
}
