//! libstdc++'s `std::stable_sort`, step for step. llvm-lipo orders slices with a comparator
//! that is not a strict weak order, so only the same algorithm gives the same slice order
//! (and so the same bytes) as the llvm-lipo Debian ships, which links libstdc++.

/// `std::stable_sort` step for step as libstdc++ runs it (read from GCC 12's `bits/stl_algo.h`;
/// Debian's llvm-lipo-14 links libstdc++, and older GCCs take the same steps): sort each half with
/// insertion-sorted chunks of 7 and buffered merge passes, then merge the halves (forwards if the
/// first half is not longer, else backwards). With a comparator that is not a strict weak
/// order, a different stable sort could give a different slice order.
pub(super) fn libstdcxx_stable_sort<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    if v.is_empty() {
        return;
    }
    let mid = v.len().div_ceil(2);
    merge_sort_with_buffer(&mut v[..mid], less);
    merge_sort_with_buffer(&mut v[mid..], less);
    if mid <= v.len() - mid {
        let buf = v[..mid].to_vec();
        let (mut i, mut j) = (0, mid);
        for k in 0..v.len() {
            if i == buf.len() {
                break;
            }
            if j < v.len() && less(&v[j], &buf[i]) {
                v[k] = v[j];
                j += 1;
            } else {
                v[k] = buf[i];
                i += 1;
            }
        }
    } else if mid < v.len() {
        let buf = v[mid..].to_vec();
        let (mut l1, mut l2, mut r) = (mid - 1, buf.len() - 1, v.len());
        loop {
            r -= 1;
            if less(&buf[l2], &v[l1]) {
                v[r] = v[l1];
                if l1 == 0 {
                    v[r - l2 - 1..r].copy_from_slice(&buf[..=l2]);
                    return;
                }
                l1 -= 1;
            } else {
                v[r] = buf[l2];
                if l2 == 0 {
                    return;
                }
                l2 -= 1;
            }
        }
    }
}

fn merge_sort_with_buffer<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    const CHUNK: usize = 7;
    for chunk in v.chunks_mut(CHUNK) {
        for i in 1..chunk.len() {
            let val = chunk[i];
            if less(&val, &chunk[0]) {
                chunk.copy_within(0..i, 1);
                chunk[0] = val;
            } else {
                let mut j = i;
                while less(&val, &chunk[j - 1]) {
                    chunk[j] = chunk[j - 1];
                    j -= 1;
                }
                chunk[j] = val;
            }
        }
    }
    let mut buf = v.to_vec();
    let mut step = CHUNK;
    while step < v.len() {
        merge_sort_loop(v, &mut buf, step, less);
        step *= 2;
        merge_sort_loop(&buf, v, step, less);
        step *= 2;
    }
}

fn merge_sort_loop<T: Copy>(src: &[T], dst: &mut [T], step: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut start = 0;
    while src.len() - start >= 2 * step {
        let end = start + 2 * step;
        move_merge(
            &src[start..start + step],
            &src[start + step..end],
            &mut dst[start..end],
            less,
        );
        start = end;
    }
    let split = start + step.min(src.len() - start);
    move_merge(&src[start..split], &src[split..], &mut dst[start..], less);
}

fn move_merge<T: Copy>(a: &[T], b: &[T], out: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut().take(a.len() + b.len()) {
        if j < b.len() && (i == a.len() || less(&b[j], &a[i])) {
            *slot = b[j];
            j += 1;
        } else {
            *slot = a[i];
            i += 1;
        }
    }
}
