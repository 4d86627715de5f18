#include "os/vma_tree.h"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "os/user_layout.h"

namespace vmlab::os {

const Vma* VmaTree::find(uint64_t va) const {
  auto it = vmas_.upper_bound(va);
  if (it == vmas_.begin()) return nullptr;
  --it;
  return it->second.contains(va) ? &it->second : nullptr;
}

Vma* VmaTree::find(uint64_t va) {
  return const_cast<Vma*>(static_cast<const VmaTree*>(this)->find(va));
}

const Vma* VmaTree::above(uint64_t va) const {
  if (const Vma* v = find(va)) return v;
  auto it = vmas_.upper_bound(va);
  return it == vmas_.end() ? nullptr : &it->second;
}

Vma& VmaTree::insert(Vma vma) {
  if (!is_free(vma.start, vma.end)) throw std::logic_error("VMA overlaps an existing mapping");
  return vmas_.emplace(vma.start, std::move(vma)).first->second;
}

bool VmaTree::is_free(uint64_t start, uint64_t end) const {
  auto it = vmas_.lower_bound(start);
  if (it != vmas_.end() && it->second.start < end) return false;
  if (it != vmas_.begin() && std::prev(it)->second.end > start) return false;
  return true;
}

std::optional<uint64_t> VmaTree::find_free_range(uint64_t length) const {
  // Occupied ranges, highest first: VMAs (with the stack's guard gap).
  std::vector<std::pair<uint64_t, uint64_t>> taken;
  for (const auto& [start, vma] : vmas_) {
    const uint64_t gap = vma.grows_down ? layout::kStackGuardGap : 0;
    taken.emplace_back(start > gap ? start - gap : 0, vma.end);
  }
  std::sort(taken.begin(), taken.end(), [](auto a, auto b) { return a.second > b.second; });
  uint64_t gap_end = layout::kMmapBase;
  for (const auto& [start, end] : taken) {
    if (end <= gap_end && gap_end - end >= length) return gap_end - length;
    gap_end = std::min(gap_end, start);
  }
  if (gap_end >= layout::kMmapMinAddr + length) return gap_end - length;
  return std::nullopt;
}

void VmaTree::split_at(uint64_t va) {
  Vma* v = find(va);
  if (v == nullptr || v->start == va) return;
  Vma upper = *v;
  upper.start = va;
  if (upper.kind == VmaKind::kFile) {
    const uint64_t consumed = va - v->start;
    upper.file_offset += consumed;
    upper.file_bytes = upper.file_bytes > consumed ? upper.file_bytes - consumed : 0;
  }
  v->end = va;
  vmas_.emplace(va, std::move(upper));
}

void VmaTree::update_range(uint64_t start, uint64_t end, const std::function<void(Vma&)>& fn) {
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->second.start < end; ++it)
    fn(it->second);
}

void VmaTree::erase_range(uint64_t start, uint64_t end) {
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->second.start < end;)
    it = vmas_.erase(it);
}

std::optional<Vma> VmaTree::extract(uint64_t start, uint64_t end) {
  split_at(start);
  split_at(end);
  auto node = vmas_.extract(start);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

Vma& VmaTree::at(uint64_t start) {
  auto it = vmas_.find(start);
  if (it == vmas_.end()) throw std::logic_error("no VMA starts at this address");
  return it->second;
}

void VmaTree::move_start(uint64_t start, uint64_t new_start) {
  auto node = vmas_.extract(start);
  node.key() = new_start;
  node.mapped().start = new_start;
  vmas_.insert(std::move(node));
}

}  // namespace vmlab::os
