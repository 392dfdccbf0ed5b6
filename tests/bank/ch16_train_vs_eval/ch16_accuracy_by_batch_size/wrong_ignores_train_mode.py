# misconception: always evaluating in eval mode is "the right thing", whatever train_mode says
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    replica = copy.deepcopy(model).eval()
    with torch.no_grad():
        return {int(bs): float((torch.cat([replica(c).argmax(1) for c in torch.split(x, bs)]) == y).float().mean())
                for bs in batch_sizes}
