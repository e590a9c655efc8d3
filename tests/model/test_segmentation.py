from pathlib import Path

import jieba

from jiesu.model.segmentation import Segmenter, jieba_dictionary_path

TEXTS = [
    "喂您好，我想反映一下我们小区暖气不热的问题，家里老人孩子都冻感冒了",
    "标题：关于朝阳区望京西园三区门口饭馆油烟扰民的投诉 内容：每天晚上十点以后还在烧烤",
    "公司拖欠工资三个月了，仲裁委已经受理，但是老板到现在也不给钱，价格是0.24元一块",
    "北京市海淀区中关村大街27号中关村大厦附近共享单车乱停放",
]


def test_the_fast_engine_cuts_exactly_like_jieba_with_the_same_dictionary() -> None:
    user_words = ["望京西园三区", "中关村大厦", "暖气不热"]
    reference = jieba.Tokenizer(dictionary=str(jieba_dictionary_path()))
    for word in user_words:
        reference.add_word(word, 20000)
    fast = Segmenter(user_words)
    for text in TEXTS:
        expected = [token for token in reference.lcut(text, HMM=False) if any(ch.isalnum() for ch in token)]
        assert fast.cut(text) == expected


def test_user_dictionary_keeps_place_names_whole_and_travels_with_the_model(tmp_path: Path) -> None:
    segmenter = Segmenter(["望京西园三区"])
    assert "望京西园三区" in segmenter.cut("我住望京西园三区309号楼")
    segmenter.save(tmp_path / "userdict.txt")
    reloaded = Segmenter.load(tmp_path / "userdict.txt")
    assert reloaded.user_words == ["望京西园三区"]
    assert reloaded.cut_many(TEXTS) == segmenter.cut_many(TEXTS)
