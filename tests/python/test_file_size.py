"""A results file holds little besides its data: no superseded chunk copies (sim/results.hpp)."""
import h5py


def stored_bytes(path):
    """Bytes the datasets' values occupy in the file (compressed where they are)."""
    total = 0

    def add(_name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            total += obj.id.get_storage_size()

    with h5py.File(path, "r") as f:
        f.visititems(add)
    return total


def test_the_teaching_results_file_is_at_most_one_and_a_half_times_its_data(results_path):
    # Before tables were plain, flushes left copies of each table's last chunk: 14x.
    size = results_path.stat().st_size
    data = stored_bytes(results_path)
    assert data > 0
    assert size <= 1.5 * data, f"{size} bytes of file for {data} bytes of data ({size / data:.2f}x)"
