using Chat.Domain.Groups;
using Chat.Domain.Messaging;

namespace Chat.UnitTests.Messaging;

public sealed class BatchSplitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_batch_of_one_kind_stays_whole()
    {
        Assert.Null(BatchSplit.Of([Send("a", "b"), Ack("c"), Send("d", "e")]));
        Assert.Null(BatchSplit.Of([Read("a"), Read("b")]));
    }

    [Fact]
    public void Hot_path_and_single_key_operations_go_in_two_parts_in_queue_order()
    {
        var parts = BatchSplit.Of([Read("x"), Send("a", "b"), Ack("c"), Read("y"), Send("d", "e")]);

        Assert.NotNull(parts);
        Assert.Equal([[1, 2, 4], [0, 3]], parts);
    }

    [Fact]
    public void Each_fan_out_gets_a_part_of_its_own_after_the_others_even_two_of_one_group()
    {
        var parts = BatchSplit.Of([GroupSend("g1", "a"), Ack("c"), GroupSend("g1", "b"), GroupSend("g2", "a"), Read("y")]);

        Assert.NotNull(parts);
        Assert.Equal([[1], [4], [0], [2], [3]], parts);
    }

    [Fact]
    public void Fan_outs_alone_are_split_one_by_one()
    {
        Assert.Equal([[0], [1]], BatchSplit.Of([GroupSend("g1", "a"), GroupSend("g2", "b")]));
        Assert.Null(BatchSplit.Of([GroupSend("g1", "a")]));
    }

    [Fact]
    public void A_key_with_operations_on_both_sides_keeps_the_batch_whole_so_its_order_holds()
    {
        // Bob's read mark and a send to Bob: splitting would apply the send first whatever the queue said.
        Assert.Null(BatchSplit.Of([Read("bob"), Send("alice", "bob"), GroupSend("g1", "carol")]));
    }

    private static SendOperation Send(string from, string to) =>
        new(new SendCommand(from, Guid.NewGuid().ToString("N"), to, "hi", Guid.CreateVersion7(T0), T0, T0.AddDays(1), T0.AddDays(30)));

    private static AckOperation Ack(string user) => new(user, 1, 5, T0, T0.AddDays(30));

    private static MarkReadOperation Read(string user) => new(user, 1, [Guid.CreateVersion7(T0)], T0, T0.AddDays(30));

    private static GroupSendOperation GroupSend(string group, string from) =>
        new(group, from, Guid.NewGuid().ToString("N"), "hi", Guid.CreateVersion7(T0), T0, T0.AddDays(1), T0.AddDays(30));
}
