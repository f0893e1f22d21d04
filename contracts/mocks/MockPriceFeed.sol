// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Chainlink-style aggregator for tests and devnets: numbered rounds with answer and updatedAt, every
///         round kept for {getRoundData}, the latest one packed in one slot. Anyone can publish an answer;
///         tests can set any updatedAt. A mainnet feed read through its proxy costs about 7k gas more (a second
///         cold contract and two more storage reads).
contract MockPriceFeed is AggregatorV3Interface {
    struct Round {
        uint80 roundId;
        int128 answer;
        uint48 updatedAt;
    }

    uint8 public immutable decimals;
    string public description;
    Round internal _latest;
    mapping(uint80 roundId => Round) internal _rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, int256 initialAnswer, string memory description_) {
        decimals = decimals_;
        description = description_;
        _push(initialAnswer, block.timestamp);
    }

    function version() external pure returns (uint256) {
        return 4;
    }

    /// @notice Publishes `answer` as a new round updated now.
    function updateAnswer(int256 answer) external {
        _push(answer, block.timestamp);
    }

    /// @notice Publishes `answer` as a new round with an explicit `updatedAt` (to test staleness).
    function updateRoundData(int256 answer, uint256 updatedAt) external {
        _push(answer, updatedAt);
    }

    function latestRound() external view returns (uint256) {
        return _latest.roundId;
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _latest;
        return (r.roundId, r.answer, r.updatedAt, r.updatedAt, r.roundId);
    }

    function _push(int256 answer, uint256 updatedAt) internal {
        Round memory r = Round(_latest.roundId + 1, int128(answer), uint48(updatedAt));
        _latest = r;
        _rounds[r.roundId] = r;
        emit AnswerUpdated(answer, r.roundId, updatedAt);
    }
}
